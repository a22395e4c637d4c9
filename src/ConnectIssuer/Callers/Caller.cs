using System.Security.Claims;

namespace ConnectIssuer.Callers;

/// <summary>
/// The authenticated caller. <see cref="CustomerId"/> always comes from the caller's credential
/// (token claims, the platform principal, or development headers), never from a request body.
/// </summary>
public sealed record Caller(string CustomerId, string? Name, string Subject, bool IsAdmin, ClaimsPrincipal Principal)
{
    /// <summary>Gets the values of one claim of the caller (empty when absent).</summary>
    public IReadOnlyList<string> ClaimValues(string claimType) =>
        [.. Principal.FindAll(claimType).Select(c => c.Value)];

    /// <summary>Whether the caller's <paramref name="roleClaim"/> claim holds <paramref name="role"/> (the rule the admin role follows).</summary>
    public bool HasRole(string roleClaim, string role) =>
        Principal.FindAll(roleClaim).Any(c => CallerClaims.IsRole(c.Value, role));
}
