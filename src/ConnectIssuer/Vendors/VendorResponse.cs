using System.Net;
using System.Text.Json.Serialization.Metadata;

namespace ConnectIssuer.Vendors;

/// <summary>A vendor's complete answer, read within the deadline and the size bound.</summary>
public sealed class VendorResponse(string vendor, HttpStatusCode statusCode, ReadOnlyMemory<byte> body, TimeSpan? retryAfter)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    /// <summary>Gets the body bytes. For parsing and for logs at Debug at most; never for a caller.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>Throws the <see cref="VendorApiException"/> that this status means, unless it is a success.</summary>
    public VendorResponse EnsureSuccess()
    {
        if (IsSuccess)
        {
            return this;
        }

        var status = (int)StatusCode;
        var failure = status switch
        {
            429 => VendorFailure.Throttled,
            401 or 403 => VendorFailure.Unauthorized,
            >= 500 => VendorFailure.Unavailable,
            _ => VendorFailure.Rejected,
        };
        throw new VendorApiException(vendor, failure, StatusCode) { RetryAfter = retryAfter };
    }

    /// <summary>Parses the body as <typeparamref name="T"/>.</summary>
    /// <exception cref="VendorApiException"><see cref="VendorFailure.Unreadable"/> when it is not that shape.</exception>
    public T ReadJson<T>(JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(Body.Span, typeInfo) ?? throw new VendorApiException(vendor, VendorFailure.Unreadable, StatusCode);
        }
        catch (JsonException exception)
        {
            throw new VendorApiException(vendor, VendorFailure.Unreadable, StatusCode, exception);
        }
    }

    /// <summary>Parses the body as <typeparamref name="T"/>, or returns null when it is not that shape (for error bodies).</summary>
    public T? TryReadJson<T>(JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return Body.IsEmpty ? null : JsonSerializer.Deserialize(Body.Span, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
