using System.Security.Claims;
using ConnectIssuer.Http;

namespace ConnectIssuer.Callers;

/// <summary>
/// Development only (start-up refuses this mode elsewhere): the caller is named by
/// <c>X-Customer-Id</c>, <c>X-Customer-Name</c> and <c>X-Customer-Admin</c> headers.
/// </summary>
public sealed class DevelopmentCallerAuthenticator(IOptions<CallerAuthenticationOptions> options) : ICallerAuthenticator
{
    public const string CustomerIdHeader = "X-Customer-Id";
    public const string CustomerNameHeader = "X-Customer-Name";
    public const string CustomerAdminHeader = "X-Customer-Admin";

    public ValueTask<Caller> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var headers = request.Headers;
        if (headers[CustomerIdHeader] is not [{ Length: > 0 } customerId])
        {
            throw ApiProblemException.Unauthenticated($"Development mode: send the customer id in {CustomerIdHeader}.", "invalid_request");
        }

        List<Claim> claims = [new(settings.CustomerIdClaim, customerId), new("sub", customerId)];
        if (headers[CustomerNameHeader] is [{ Length: > 0 } name])
        {
            claims.Add(new(settings.CustomerNameClaim, name));
        }

        if (string.Equals(headers[CustomerAdminHeader], "true", StringComparison.OrdinalIgnoreCase))
        {
            claims.Add(new(settings.AdminRoleClaim, settings.AdminRole));
        }

        return ValueTask.FromResult(CallerClaims.ToCaller(new ClaimsIdentity(claims, "Development"), settings));
    }
}
