using System.Net;

namespace ConnectIssuer.Vendors;

/// <summary>Why a vendor call failed; the pipeline maps each kind to one documented problem response.</summary>
public enum VendorFailure
{
    /// <summary>A 4xx answer the flow could not handle (502 <c>vendor_error</c>).</summary>
    Rejected,

    /// <summary>429 (503 <c>vendor_throttled</c>, with the vendor's <c>Retry-After</c> when given).</summary>
    Throttled,

    /// <summary>5xx, a refused or reset connection (502 <c>vendor_error</c>).</summary>
    Unavailable,

    /// <summary>A body that is not what the vendor documents, or too large to read (502 <c>vendor_error</c>).</summary>
    Unreadable,

    /// <summary>No complete answer within <c>Vendors:Timeout</c> (504 <c>vendor_timeout</c>).</summary>
    Timeout,

    /// <summary>401/403 even after the secret was read again (502 <c>vendor_error</c>).</summary>
    Unauthorized,
}

/// <summary>
/// A vendor call failed. One type for all vendors, in the spirit of Azure.RequestFailedException: flows
/// branch on <see cref="StatusCode"/> or <see cref="Failure"/>. The message is ours; a vendor body never is.
/// </summary>
public sealed class VendorApiException(string vendor, VendorFailure failure, HttpStatusCode? statusCode = null, Exception? innerException = null)
    : Exception(Describe(vendor, failure, statusCode), innerException)
{
    public string Vendor { get; } = vendor;

    public VendorFailure Failure { get; } = failure;

    /// <summary>Gets the vendor's HTTP status, when it answered at all.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>Gets the vendor's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    private static string Describe(string vendor, VendorFailure failure, HttpStatusCode? status) => failure switch
    {
        VendorFailure.Throttled => $"{vendor} is throttling requests; retry later.",
        VendorFailure.Timeout => $"{vendor} did not answer in time.",
        VendorFailure.Unreadable => $"{vendor} answered with something unreadable.",
        VendorFailure.Unavailable when status is null => $"{vendor} could not be reached.",
        VendorFailure.Unavailable => $"{vendor} is unavailable (HTTP {(int)status}).",
        VendorFailure.Unauthorized => $"{vendor} rejected this service's credentials (HTTP {(int?)status}).",
        _ => $"{vendor} rejected the request (HTTP {(int?)status}).",
    };
}
