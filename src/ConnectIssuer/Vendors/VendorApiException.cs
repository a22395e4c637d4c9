using System.Net;

namespace ConnectIssuer.Vendors;

/// <summary>Why a vendor call failed; <c>Http/VendorProblems</c> maps each kind to one documented problem response.</summary>
public enum VendorFailure
{
    /// <summary>A 4xx answer the flow could not handle (502 <c>vendor_error</c>).</summary>
    Rejected,

    /// <summary>429 (503 <c>vendor_throttled</c>, with the vendor's <c>Retry-After</c> when given).</summary>
    Throttled,

    /// <summary>5xx, a refused or reset connection (502 <c>vendor_error</c>).</summary>
    Unavailable,

    /// <summary>A body that is not what the vendor documents, broke off, or is too large to read (502 <c>vendor_error</c>).</summary>
    Unreadable,

    /// <summary>No complete answer within <c>Vendors:Timeout</c> (504 <c>vendor_timeout</c>).</summary>
    Timeout,

    /// <summary>401/403 even after the secret was read again (502 <c>vendor_error</c>).</summary>
    Unauthorized,

    /// <summary>A setting or secret the call needs is missing; the vendor was not asked (503 <c>vendor_not_configured</c>).</summary>
    NotConfigured,

    /// <summary>The vendor does not know what the caller named (404 <c>not_found</c>; the message is for the caller).</summary>
    NotFound,

    /// <summary>The vendor refused because of a conflict the caller can resolve (409 <c>conflict</c>; the message is for the caller).</summary>
    Conflict,
}

/// <summary>
/// A vendor call failed. One type for all vendors, in the spirit of Azure.RequestFailedException: flows
/// branch on <see cref="StatusCode"/> or <see cref="Failure"/>. The message is ours; a vendor body never is.
/// </summary>
public sealed class VendorApiException(
    string vendor, VendorFailure failure, HttpStatusCode? statusCode = null, Exception? innerException = null, string? message = null)
    : Exception(message ?? Describe(vendor, failure, statusCode), innerException)
{
    public string Vendor { get; } = vendor;

    public VendorFailure Failure { get; } = failure;

    /// <summary>Gets the vendor's HTTP status, when it answered at all.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>Gets the vendor's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A setting or secret is missing: <paramref name="missing"/> names it (e.g. "the secret AlloyApiKey").</summary>
    public static VendorApiException NotConfigured(string vendor, string missing) =>
        new(vendor, VendorFailure.NotConfigured, message: $"{vendor} is not configured: {missing} is missing.");

    /// <summary>The vendor does not know the caller's resource; <paramref name="detail"/> is returned to the caller.</summary>
    public static VendorApiException NotFound(string vendor, string detail) =>
        new(vendor, VendorFailure.NotFound, HttpStatusCode.NotFound, message: detail);

    /// <summary>A conflict the caller can resolve; <paramref name="detail"/> is returned to the caller.</summary>
    public static VendorApiException Conflict(string vendor, HttpStatusCode status, string detail) =>
        new(vendor, VendorFailure.Conflict, status, message: detail);

    private static string Describe(string vendor, VendorFailure failure, HttpStatusCode? status) => failure switch
    {
        VendorFailure.Throttled => $"{vendor} is throttling requests; retry later.",
        VendorFailure.Timeout => $"{vendor} did not answer in time.",
        VendorFailure.Unreadable => $"{vendor} answered with something unreadable.",
        VendorFailure.Unavailable when status is null => $"{vendor} could not be reached.",
        VendorFailure.Unavailable => $"{vendor} is unavailable (HTTP {(int)status}).",
        VendorFailure.Unauthorized => $"{vendor} rejected this service's credentials (HTTP {(int?)status}).",
        VendorFailure.NotConfigured => $"{vendor} is not configured.",
        _ => $"{vendor} rejected the request (HTTP {(int?)status}).",
    };
}
