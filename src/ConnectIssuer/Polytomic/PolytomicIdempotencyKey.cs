using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ConnectIssuer.Http;
using Microsoft.Extensions.Primitives;

namespace ConnectIssuer.Polytomic;

/// <summary>
/// The <c>Idempotency-Key</c> sent to Polytomic: SHA-256 (lower-case hex) over the customer id and the
/// caller's own <c>Idempotency-Key</c> header. A retried request of the same customer replays Polytomic's
/// first answer; two customers who happen to use the same key never share a session. The result has 64
/// characters, inside Polytomic's documented 8–255 letters, digits, <c>-</c> and <c>_</c>.
/// </summary>
internal static class PolytomicIdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";

    public const int MaxCallerKeyLength = 255;

    private const string Purpose = "polytomic-connect";

    /// <summary>Reads the caller's header: null when absent, the value when valid.</summary>
    /// <exception cref="ApiProblemException">400 <c>invalid_request</c> for an empty, repeated, over-long or non-printable value.</exception>
    public static string? Read(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(HeaderName, out var values))
        {
            return null;
        }

        return Validate(values) is { } error
            ? throw ApiProblemException.InvalidRequest(
                "The Idempotency-Key header is invalid.", new Dictionary<string, string[]> { [HeaderName] = [error] })
            : values[0];
    }

    /// <summary>Derives the key sent to Polytomic from the customer and the caller's key.</summary>
    public static string Derive(string customerId, string callerKey)
    {
        // Length-prefixed and hashed as UTF-16 code units, so (customer, key) pairs map one-to-one onto the input.
        var input = string.Create(CultureInfo.InvariantCulture, $"{Purpose}\n{customerId.Length}:{customerId}\n{callerKey}");
        return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(input.AsSpan())));
    }

    private static string? Validate(StringValues values)
    {
        if (values.Count != 1)
        {
            return "Send the Idempotency-Key header once.";
        }

        var value = values[0];
        if (string.IsNullOrEmpty(value) || value.Length > MaxCallerKeyLength)
        {
            return $"An Idempotency-Key has 1 to {MaxCallerKeyLength} characters.";
        }

        return value.All(c => c is >= '!' and <= '~') ? null : "An Idempotency-Key consists of visible ASCII characters only.";
    }
}
