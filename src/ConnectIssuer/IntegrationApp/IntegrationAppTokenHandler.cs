using System.Globalization;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;

namespace ConnectIssuer.IntegrationApp;

/// <summary>
/// <c>POST /api/integration-app/token</c>: a token for the vendor's front-end SDK, for the caller's customer.
/// Claims <c>id</c>, <c>name</c> and <c>fields</c> come from the caller's credential only; the body is ignored.
/// </summary>
public sealed class IntegrationAppTokenHandler(IntegrationAppSigner signer, IOptions<IntegrationAppOptions> options)
{
    /// <summary>Gets the route as the pipeline runs it: the body is read within its limits and ignored.</summary>
    public static IssuingRoute<EmptyRequest> Route { get; } =
        new(Routes.IntegrationAppToken, IntegrationAppVendor.Names.RouteKey, IssuingRoute.EmptyBody);

    /// <summary>The claims of a customer token: <c>id</c>, <c>name</c> and <c>fields</c>, from the caller's credential only.</summary>
    internal static Dictionary<string, object> CustomerClaims(Caller caller, Dictionary<string, string> fieldMap)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = caller.CustomerId };
        if (caller.Name is { Length: > 0 } name)
        {
            claims["name"] = name;
        }

        var fields = Fields(caller, fieldMap);
        if (fields.Count > 0)
        {
            claims["fields"] = fields;
        }

        return claims;
    }

    /// <summary>Mints a token for the authenticated <paramref name="caller"/>'s customer.</summary>
    public async Task<IssueResponse> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        var token = await signer.MintAsync(CustomerClaims(caller, options.Value.Fields), cancellationToken);
        return new IssueResponse(Route.Vendor) { Token = token.Value, ExpiresAt = token.ExpiresAt, CustomerId = caller.CustomerId };
    }

    private static Dictionary<string, object> Fields(Caller caller, Dictionary<string, string> map)
    {
        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (field, claim) in map)
        {
            var values = caller.ClaimValues(claim);
            if (values.Count > 0)
            {
                fields[field] = values.Count == 1 ? values[0] : values.ToArray();
            }
        }

        return fields;
    }
}

/// <summary>
/// <c>POST /api/integration-app/admin-token</c>: a workspace-wide token (<c>isAdmin: true</c>, no customer <c>id</c>),
/// for admin callers only, living <see cref="IntegrationAppOptions.AdminTokenLifetime"/>. With
/// <see cref="CallerAuthenticationOptions.AdminMaxAuthAge"/> set, the caller must also have signed in recently.
/// </summary>
public sealed class IntegrationAppAdminTokenHandler(
    IntegrationAppSigner signer,
    IOptions<IntegrationAppOptions> options,
    IOptions<CallerAuthenticationOptions> auth,
    TimeProvider timeProvider)
{
    /// <summary>The OpenID Connect claim with the time (seconds since the epoch) the user last authenticated.</summary>
    public const string AuthTimeClaim = "auth_time";

    /// <summary>Gets the route as the pipeline runs it: the body is read within its limits and ignored.</summary>
    public static IssuingRoute<EmptyRequest> Route { get; } =
        new(Routes.IntegrationAppAdminToken, IntegrationAppVendor.Names.RouteKey, IssuingRoute.EmptyBody);

    /// <summary>Mints a workspace-wide admin token, if the authenticated <paramref name="caller"/> may have one.</summary>
    public async Task<IssueResponse> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            throw ApiProblemException.Forbidden("An admin token needs the admin role.");
        }

        if (auth.Value.AdminMaxAuthAge is { } maxAuthAge)
        {
            RequireRecentSignIn(caller, maxAuthAge, auth.Value.ClockSkew, timeProvider.GetUtcNow());
        }

        var token = await signer.MintAsync(
            new Dictionary<string, object>(StringComparer.Ordinal) { ["isAdmin"] = true }, options.Value.AdminTokenLifetime, cancellationToken);
        return new IssueResponse(Route.Vendor) { Token = token.Value, ExpiresAt = token.ExpiresAt };
    }

    // Step-up: an admin token is only as fresh as the sign-in behind it. auth_time is read from the claims the caller
    // already carries (OIDC: the validated token), so a token without it cannot pass.
    private static void RequireRecentSignIn(Caller caller, TimeSpan maxAuthAge, TimeSpan clockSkew, DateTimeOffset now)
    {
        var values = caller.ClaimValues(AuthTimeClaim);
        if (values.Count != 1
            || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || DateTimeOffset.FromUnixTimeSeconds(seconds) - now > clockSkew)
        {
            throw ApiProblemException.Forbidden(
                "An admin token needs a recent sign-in, and the caller's token does not say when the user signed in (no usable auth_time claim).");
        }

        if (now - DateTimeOffset.FromUnixTimeSeconds(seconds) > maxAuthAge)
        {
            throw ApiProblemException.Forbidden("An admin token needs a recent sign-in: the user signed in too long ago. Sign in again and retry.");
        }
    }
}
