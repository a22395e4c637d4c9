using System.Net;
using System.Security.Claims;
using ConnectIssuer.Http;

namespace ConnectIssuer.Callers;

/// <summary>
/// Development only (start-up refuses this mode elsewhere): the caller is named by
/// <c>X-Customer-Id</c>, <c>X-Customer-Name</c> and <c>X-Customer-Admin</c> headers, accepted only on a loopback
/// connection, so a development machine's server reachable from the network does not let others name themselves.
/// (Under the Functions host every request reaches the worker from the local host process, so there this adds nothing
/// to the start-up refusal on Azure.)
/// </summary>
public sealed class DevelopmentCallerAuthenticator(IOptions<CallerAuthenticationOptions> options) : ICallerAuthenticator
{
    public const string CustomerIdHeader = "X-Customer-Id";
    public const string CustomerNameHeader = "X-Customer-Name";
    public const string CustomerAdminHeader = "X-Customer-Admin";

    public ValueTask<Caller> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsLoopback(request.HttpContext.Connection.RemoteIpAddress))
        {
            throw ApiProblemException.Unauthenticated(
                $"Development mode: {CustomerIdHeader} and the other X-Customer-* headers are accepted only from this machine (a loopback connection).");
        }

        var settings = options.Value;
        var headers = request.Headers;
        if (headers[CustomerIdHeader] is not [{ Length: > 0 } customerId])
        {
            throw ApiProblemException.Unauthenticated($"Development mode: send the customer id in {CustomerIdHeader}.", "invalid_request");
        }

        List<Claim> claims = [new(settings.CustomerIdClaim, customerId)];
        if (settings.CustomerIdClaim != "sub")
        {
            claims.Add(new("sub", customerId));
        }

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

    /// <summary>127.0.0.0/8 or ::1 (also as an IPv4-mapped IPv6 address); no address (not a network connection) is not loopback.</summary>
    internal static bool IsLoopback(IPAddress? remote) =>
        remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
}
