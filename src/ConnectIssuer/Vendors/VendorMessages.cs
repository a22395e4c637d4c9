using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization.Metadata;

namespace ConnectIssuer.Vendors;

/// <summary>
/// How a vendor client writes a request and reads the answer. A request is marked <see cref="Idempotent"/> when a
/// failed attempt may be repeated (reads; never a create), and <see cref="Expecting"/> a non-success status that is an
/// ordinary answer (a 404 for a lookup): logged at Debug, not Warning. The answer arrives fully buffered (1 MiB at most).
/// </summary>
public static class VendorMessages
{
    internal static readonly HttpRequestOptionsKey<bool> IdempotentKey = new("ConnectIssuer.Vendors.Idempotent");
    internal static readonly HttpRequestOptionsKey<HttpStatusCode> ExpectedStatusKey = new("ConnectIssuer.Vendors.ExpectedStatus");

    /// <summary>Marks the request as safe to send again after a 502/503/504 or a broken connection.</summary>
    public static HttpRequestMessage Idempotent(this HttpRequestMessage request, bool idempotent = true)
    {
        request.Options.Set(IdempotentKey, idempotent);
        return request;
    }

    /// <summary>Marks <paramref name="status"/> as an ordinary answer to this request (logged at Debug like a success).</summary>
    public static HttpRequestMessage Expecting(this HttpRequestMessage request, HttpStatusCode status)
    {
        request.Options.Set(ExpectedStatusKey, status);
        return request;
    }

    /// <summary>Sets a JSON body (already serialised, so a retry resends the same bytes).</summary>
    public static HttpRequestMessage WithJson(this HttpRequestMessage request, byte[] json)
    {
        request.Content = new ByteArrayContent(json);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    internal static bool IsIdempotent(this HttpRequestMessage request) =>
        request.Options.TryGetValue(IdempotentKey, out var idempotent) && idempotent;

    /// <summary>Throws the <see cref="VendorApiException"/> that the answer's status means, unless it is a success.</summary>
    public static HttpResponseMessage EnsureVendorSuccess(this HttpResponseMessage response, string vendor)
    {
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var failure = (int)response.StatusCode switch
        {
            429 => VendorFailure.Throttled,
            401 or 403 => VendorFailure.Unauthorized,
            >= 500 => VendorFailure.Unavailable,
            _ => VendorFailure.Rejected,
        };

        // VendorCallHandler has turned a Retry-After date into a delay.
        throw new VendorApiException(vendor, failure, response.StatusCode) { RetryAfter = response.Headers.RetryAfter?.Delta };
    }

    /// <summary>Parses the (buffered) body as <typeparamref name="T"/>.</summary>
    /// <exception cref="VendorApiException"><see cref="VendorFailure.Unreadable"/> when it is not that shape.</exception>
    public static T ReadVendorJson<T>(this HttpResponseMessage response, string vendor, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(Body(response), typeInfo)
                ?? throw new VendorApiException(vendor, VendorFailure.Unreadable, response.StatusCode);
        }
        catch (JsonException exception)
        {
            throw new VendorApiException(vendor, VendorFailure.Unreadable, response.StatusCode, exception);
        }
    }

    /// <summary>Parses the (buffered) body as <typeparamref name="T"/>, or returns null when it is not that shape (for error bodies).</summary>
    public static T? TryReadVendorJson<T>(this HttpResponseMessage response, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            var body = Body(response);
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The content caches one stream over its buffer: rewind it, so an error body can be read twice.
    private static Stream Body(HttpResponseMessage response)
    {
        var body = response.Content.ReadAsStream();
        body.Position = 0;
        return body;
    }
}
