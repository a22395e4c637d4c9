using System.Buffers.Text;

namespace ConnectIssuer.Vendors;

/// <summary>
/// Reads the <c>exp</c> claim of a compact JWS <b>without validating it</b>. The value is only passed on as the
/// response's informational <c>expiresAt</c> so the SPA knows when to ask again; nothing in this service trusts it.
/// </summary>
internal static class UnverifiedJwt
{
    private const int MaxPayloadChars = 16 * 1024;

    // The end of DateTimeOffset's range (9999-12-31T23:59:59Z) in Unix seconds.
    private const long MaxUnixSeconds = 253_402_300_799;

    /// <summary>Returns the token's <c>exp</c>, or null when it is not a JWT or has no usable numeric <c>exp</c>.</summary>
    public static DateTimeOffset? TryReadExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length is 0 or > MaxPayloadChars)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (payload.RootElement.ValueKind != JsonValueKind.Object
                || !payload.RootElement.TryGetProperty("exp", out var exp)
                || exp.ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            long seconds;
            if (exp.TryGetInt64(out var whole))
            {
                seconds = whole;
            }
            else if (exp.TryGetDouble(out var real) && real is >= 0 and <= MaxUnixSeconds)
            {
                seconds = (long)Math.Floor(real); // NumericDate may carry a fraction (RFC 7519 §2)
            }
            else
            {
                return null;
            }

            return seconds is >= 0 and <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
