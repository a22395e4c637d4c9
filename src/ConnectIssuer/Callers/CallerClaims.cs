using System.Security.Claims;
using ConnectIssuer.Http;

namespace ConnectIssuer.Callers;

/// <summary>Turns an authenticated identity into a <see cref="Caller"/> with the configured claim names.</summary>
internal static class CallerClaims
{
    /// <summary>Customer ids longer than this are refused: every vendor-side name is derived from them.</summary>
    public const int MaxCustomerIdLength = 256;

    public static Caller ToCaller(ClaimsIdentity identity, CallerAuthenticationOptions options)
    {
        var customerId = identity.FindFirst(options.CustomerIdClaim)?.Value;
        if (string.IsNullOrWhiteSpace(customerId) || customerId.Length > MaxCustomerIdLength || customerId.Any(char.IsControl))
        {
            throw ApiProblemException.Unauthenticated($"The token has no usable '{options.CustomerIdClaim}' claim to identify the customer.");
        }

        var subject = identity.FindFirst("sub")?.Value ?? customerId;
        var name = identity.FindFirst(options.CustomerNameClaim)?.Value;
        var isAdmin = identity.FindAll(options.AdminRoleClaim).Any(c => IsRole(c.Value, options.AdminRole));
        return new Caller(customerId, name, subject, isAdmin, new ClaimsPrincipal(identity));
    }

    // A roles claim is usually one claim per array item; some providers send a space-separated string.
    private static bool IsRole(string value, string role) =>
        value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(role, StringComparer.Ordinal);
}
