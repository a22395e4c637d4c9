using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider on a loopback port: discovery document and JWKS with one RSA and one
/// P-256 key, plus a way to mint caller tokens with them (or with anything an attacker might try).
/// </summary>
internal sealed class FakeOidcIssuer : IAsyncDisposable
{
    public const string Audience = "api://connect-issuer";

    private static readonly Lazy<Task<FakeOidcIssuer>> SharedIssuer = new(async () =>
    {
        var issuer = await StartAsync();
        issuer._shared = true;
        return issuer;
    });

    private readonly WebApplication _app;
    private OidcFault _fault;
    private bool _shared;

    private FakeOidcIssuer(WebApplication app)
    {
        _app = app;
        Authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public static RsaSecurityKey RsaKey { get; } = new(RSA.Create(2048)) { KeyId = "rsa-1" };

    public static ECDsaSecurityKey EcKey { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-1" };

    /// <summary>Gets the issuer URL (no trailing slash); it is also the <c>iss</c> of the tokens it mints.</summary>
    public string Authority { get; }

    /// <summary>Gets how often the discovery document was asked for (count on an issuer of the test's own, not the shared one).</summary>
    public int MetadataRequests { get; private set; }

    /// <summary>Gets or sets how the discovery document and JWKS answer (an outage of the provider, for the 503 tests; own issuer only).</summary>
    public OidcFault Fault
    {
        get => _fault;
        set => _fault = _shared
            ? throw new InvalidOperationException("The shared issuer never fails; a test that injects a fault starts its own issuer.")
            : value;
    }

    /// <summary>
    /// The issuer shared by every test that only needs valid caller tokens: started on first use, it lives as long as the
    /// test process. A test that injects a fault or counts metadata requests starts its own (<see cref="StartAsync"/>).
    /// </summary>
    public static Task<FakeOidcIssuer> SharedAsync() => SharedIssuer.Value;

    public static async Task<FakeOidcIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOidcIssuer? issuer = null;
        app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
        {
            issuer!.MetadataRequests++;
            return issuer.Fault switch
            {
                OidcFault.ServerError => Results.StatusCode(StatusCodes.Status500InternalServerError),
                OidcFault.Garbage => Results.Text("<html>maintenance</html>", "application/json"),
                _ => Results.Text(
                    $$"""{"issuer":"{{issuer.Authority}}","jwks_uri":"{{issuer.Authority}}/jwks","id_token_signing_alg_values_supported":["RS256","ES256"]}""",
                    "application/json"),
            };
        });
        app.MapGet("/jwks", () => issuer!.Fault is OidcFault.None
            ? Results.Text(Jwks(), "application/json")
            : Results.StatusCode(StatusCodes.Status500InternalServerError));
        await app.StartAsync();
        issuer = new FakeOidcIssuer(app);
        return issuer;
    }

    /// <summary>Settings for the server under test that point caller authentication at this issuer.</summary>
    public Dictionary<string, string?> Settings(string customerIdClaim = "org_id") => new()
    {
        ["Auth:Mode"] = "Oidc",
        ["Auth:Authority"] = Authority,
        ["Auth:RequireHttpsMetadata"] = "false",
        ["Auth:Audiences:0"] = Audience,
        ["Auth:CustomerIdClaim"] = customerIdClaim,
    };

    public string CreateToken(
        IDictionary<string, object>? claims = null,
        SigningCredentials? credentials = null,
        string? issuer = null,
        string audience = Audience,
        DateTime? notBefore = null,
        DateTime? expires = null,
        string? tokenType = null,
        IDictionary<string, object>? header = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience,
            Claims = claims ?? new Dictionary<string, object> { ["sub"] = "user-1", ["org_id"] = "org_42", ["name"] = "Ada" },
            IssuedAt = now,
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = credentials ?? new SigningCredentials(RsaKey, SecurityAlgorithms.RsaSha256),
            TokenType = tokenType,
            AdditionalHeaderClaims = header,
        });
    }

    public static ClaimsIdentity Identity(params (string Type, string Value)[] claims) =>
        new(claims.Select(c => new Claim(c.Type, c.Value)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Jwks()
    {
        var rsa = RsaKey.Rsa.ExportParameters(includePrivateParameters: false);
        var ec = EcKey.ECDsa.ExportParameters(includePrivateParameters: false);
        return JsonSerializer.Serialize(new
        {
            keys = new object[]
            {
                new { kty = "RSA", use = "sig", kid = RsaKey.KeyId, alg = "RS256", n = Base64UrlEncoder.Encode(rsa.Modulus), e = Base64UrlEncoder.Encode(rsa.Exponent) },
                new { kty = "EC", use = "sig", kid = EcKey.KeyId, alg = "ES256", crv = "P-256", x = Base64UrlEncoder.Encode(ec.Q.X), y = Base64UrlEncoder.Encode(ec.Q.Y) },
            },
        });
    }
}

/// <summary>How the fake provider's metadata endpoints fail.</summary>
public enum OidcFault
{
    /// <summary>Both answer normally.</summary>
    None,

    /// <summary>Both answer 500.</summary>
    ServerError,

    /// <summary>The discovery document is not JSON (a maintenance page); the JWKS answers 500.</summary>
    Garbage,

    /// <summary>The discovery document is fine, the JWKS answers 500.</summary>
    KeysUnavailable,
}
