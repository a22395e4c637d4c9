using System.Diagnostics.CodeAnalysis;
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
        // One value, or the caller is refused: an array is never reduced to its first item, which the token's
        // issuer may order differently from one token to the next (and an attacker may add to).
        var customerIds = identity.FindAll(options.CustomerIdClaim).ToList();
        if (customerIds.Count > 1)
        {
            throw ApiProblemException.Unauthenticated($"The token's '{options.CustomerIdClaim}' claim has several values; it must name exactly one customer.");
        }

        var customerId = customerIds.FirstOrDefault()?.Value;
        if (!IsUsableIdentifier(customerId))
        {
            throw ApiProblemException.Unauthenticated($"The token has no usable '{options.CustomerIdClaim}' claim to identify the customer.");
        }

        // The subject goes into every audit record: the same rules as the customer id, so no log line can be forged.
        var subjects = identity.FindAll("sub").ToList();
        if (subjects.Count > 1 || (subjects.Count == 1 && !IsUsableIdentifier(subjects[0].Value)))
        {
            throw ApiProblemException.Unauthenticated("The token's 'sub' claim is not a single usable identifier.");
        }

        var subject = subjects.Count == 1 ? subjects[0].Value : customerId;
        var name = identity.FindFirst(options.CustomerNameClaim)?.Value;
        var isAdmin = identity.FindAll(options.AdminRoleClaim).Any(c => IsRole(c.Value, options.AdminRole));
        return new Caller(customerId, name, subject, isAdmin, new ClaimsPrincipal(identity));
    }

    /// <summary>Not blank, at most <see cref="MaxCustomerIdLength"/> characters, no control characters.</summary>
    internal static bool IsUsableIdentifier([NotNullWhen(true)] string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxCustomerIdLength && !value.Any(char.IsControl);

    // A roles claim is usually one claim per array item; some providers send a space-separated string.
    internal static bool IsRole(string value, string role) =>
        value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(role, StringComparer.Ordinal);
}
