using System.Security.Claims;
using System.Text.Json.Serialization;
using ConnectIssuer.Hosting;
using ConnectIssuer.Http;

namespace ConnectIssuer.Callers;

/// <summary>
/// Trusts <c>X-MS-CLIENT-PRINCIPAL</c>, which App Service Authentication sets after validating the
/// caller and strips from incoming requests. Honoured only when the process runs on App Service and the
/// platform says authentication is on (<c>WEBSITE_AUTH_ENABLED=true</c> in the process environment, never
/// from configuration: see <see cref="AppServicePlatform"/>); otherwise the header could be forged, so nobody
/// is authenticated. The standalone server refuses this mode at start-up.
/// </summary>
public sealed class EasyAuthCallerAuthenticator(IOptions<CallerAuthenticationOptions> options, AppServicePlatform platform)
    : ICallerAuthenticator
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    private readonly bool _platformAuthEnabled = platform.AuthenticationEnabled;

    public ValueTask<Caller> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!_platformAuthEnabled)
        {
            throw ApiProblemException.Unauthenticated("App Service Authentication is not enabled for this app.");
        }

        var header = request.Headers[PrincipalHeader];
        if (header.Count != 1 || string.IsNullOrEmpty(header[0]) || header[0]!.Length > OidcCallerAuthenticator.MaxTokenBytes * 2)
        {
            throw ApiProblemException.Unauthenticated("The request carries no authenticated principal.", "invalid_request");
        }

        EasyAuthPrincipal? principal;
        try
        {
            principal = JsonSerializer.Deserialize(Convert.FromBase64String(header[0]!), EasyAuthJsonContext.Default.EasyAuthPrincipal);
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            principal = null;
        }

        if (principal?.Claims is not { Length: > 0 } claims)
        {
            throw ApiProblemException.Unauthenticated("The authenticated principal could not be read.");
        }

        var identity = new ClaimsIdentity(
            claims.Where(c => c.Typ is not null && c.Val is not null).Select(c => new Claim(c.Typ!, c.Val!)),
            principal.AuthTyp ?? "EasyAuth");
        return ValueTask.FromResult(CallerClaims.ToCaller(identity, options.Value));
    }
}

internal sealed record EasyAuthPrincipal(
    [property: JsonPropertyName("auth_typ")] string? AuthTyp,
    [property: JsonPropertyName("claims")] EasyAuthClaim[]? Claims);

internal sealed record EasyAuthClaim(
    [property: JsonPropertyName("typ")] string? Typ,
    [property: JsonPropertyName("val")] string? Val);

[JsonSerializable(typeof(EasyAuthPrincipal))]
internal sealed partial class EasyAuthJsonContext : JsonSerializerContext;
