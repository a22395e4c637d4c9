using Microsoft.IdentityModel.JsonWebTokens;

namespace ConnectIssuer.Vendors;

/// <summary>
/// Reads the <c>exp</c> claim of a vendor's JWT (<see cref="JsonWebToken.ValidTo"/>) <b>without validating it</b>. The value
/// is only passed on as the response's informational <c>expiresAt</c>; nothing in this service trusts it.
/// </summary>
internal static class UnverifiedJwt
{
    private const int MaxTokenChars = 16 * 1024;

    /// <summary>
    /// Returns the token's <c>exp</c> as IdentityModel reads a NumericDate (rounded to the second, a numeric string
    /// accepted, a negative value read as the epoch), or null when it is not a JWT or has no <c>exp</c> within range.
    /// </summary>
    public static DateTimeOffset? TryReadExpiry(string token)
    {
        if (token.Length > MaxTokenChars)
        {
            return null;
        }

        try
        {
            // ValidTo is DateTime.MinValue without an exp and DateTime.MaxValue for an exp past the year 9999.
            var validTo = new JsonWebToken(token).ValidTo;
            return validTo > DateTime.MinValue && validTo < DateTime.MaxValue ? new DateTimeOffset(validTo, TimeSpan.Zero) : null;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or JsonException or OverflowException)
        {
            return null;
        }
    }
}
