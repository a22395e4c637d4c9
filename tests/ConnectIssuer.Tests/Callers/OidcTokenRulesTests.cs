using System.Security.Cryptography;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Callers;

/// <summary>
/// Issue 14 item 5 through the real server: <c>Auth:ValidTypes</c>, <c>Auth:RequiredScopes</c> and <c>Auth:AllowedClientIds</c>,
/// so an ID token or an app-only token cannot pass for a user's access token. Every refusal is a 401 problem with
/// <c>WWW-Authenticate: Bearer error="invalid_token"</c>.
/// </summary>
public sealed class OidcTokenRulesTests : IAsyncLifetime
{
    private FakeOidcIssuer _issuer = null!;
    private RunningApp _server = null!;

    public async Task InitializeAsync()
    {
        _issuer = await FakeOidcIssuer.SharedAsync();
        var settings = _issuer.Settings();
        settings["Auth:ValidTypes:0"] = "at+jwt";
        settings["Auth:ValidTypes:1"] = "";
        settings["Auth:RequiredScopes:0"] = "access_as_user";
        settings["Auth:RequiredScopes:1"] = "connect";
        settings["Auth:AllowedClientIds:0"] = "spa-client";
        settings["Auth:AllowedClientIds:1"] = "admin-spa";
        settings["IntegrationApp:WorkspaceKey"] = "ws";
        settings["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests";
        settings["RateLimit:PermitsPerMinute"] = "1000";
        _server = await TestApp.StartServerAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    public static TheoryData<string> Accepted => [.. AcceptedTokens().Keys];

    public static TheoryData<string> Refused => [.. RefusedTokens().Keys];

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task ConfiguredRules_UserAccessToken_IsAccepted(string token)
    {
        var response = await _server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", AcceptedTokens()[token](_issuer)));

        Assert.Equal("org_42", (await response.ReadJsonAsync()).GetProperty("customerId").GetString());
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ConfiguredRules_OtherToken_Returns401InvalidToken(string token)
    {
        var jwt = RefusedTokens()[token](_issuer);

        var response = await _server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", jwt));

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        _server.Logs.AssertNoneContain([jwt]);
    }

    private static Dictionary<string, object> Claims(params (string Name, object Value)[] overrides)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "user-1",
            ["org_id"] = "org_42",
            ["scp"] = "access_as_user connect",
            ["azp"] = "spa-client",
        };
        foreach (var (name, value) in overrides)
        {
            claims[name] = value;
        }

        return claims;
    }

    private static Dictionary<string, object> Without(string name, params (string Name, object Value)[] overrides)
    {
        var claims = Claims(overrides);
        claims.Remove(name);
        return claims;
    }

    private static Dictionary<string, Func<FakeOidcIssuer, string>> AcceptedTokens() => new()
    {
        ["typ at+jwt"] = issuer => issuer.CreateToken(Claims(), tokenType: "at+jwt"),
        ["typ application/at+jwt"] = issuer => issuer.CreateToken(Claims(), tokenType: "application/at+jwt"),
        ["typ AT+JWT (media types are case-insensitive)"] = issuer => issuer.CreateToken(Claims(), tokenType: "AT+JWT"),
        ["scopes in a scope string"] = issuer => issuer.CreateToken(Without("scp", ("scope", "openid connect access_as_user")), tokenType: "at+jwt"),
        ["scopes as an scp array"] = issuer => issuer.CreateToken(Claims(("scp", new[] { "connect", "access_as_user", "other" })), tokenType: "at+jwt"),
        ["second allowed client"] = issuer => issuer.CreateToken(Claims(("azp", "admin-spa")), tokenType: "at+jwt"),
        ["client in appid (Entra v1)"] = issuer => issuer.CreateToken(Without("azp", ("appid", "spa-client")), tokenType: "at+jwt"),
    };

    private static Dictionary<string, Func<FakeOidcIssuer, string>> RefusedTokens() => new()
    {
        ["typ JWT (an ID token)"] = issuer => issuer.CreateToken(Claims()),
        ["typ id+jwt"] = issuer => issuer.CreateToken(Claims(), tokenType: "id+jwt"),
        ["typ application/at+jwt2"] = issuer => issuer.CreateToken(Claims(), tokenType: "application/at+jwt2"),
        ["no typ"] = issuer => SignedWithoutTyp(issuer, Claims()),
        ["one scope missing"] = issuer => issuer.CreateToken(Claims(("scp", "access_as_user")), tokenType: "at+jwt"),
        ["scope differs in case"] = issuer => issuer.CreateToken(Claims(("scp", "Access_As_User connect")), tokenType: "at+jwt"),
        ["no scope (app-only token with roles)"] = issuer => issuer.CreateToken(Without("scp", ("roles", new[] { "connect-admin" })), tokenType: "at+jwt"),
        ["other client"] = issuer => issuer.CreateToken(Claims(("azp", "someone-elses-app")), tokenType: "at+jwt"),
        ["no client claim"] = issuer => issuer.CreateToken(Without("azp"), tokenType: "at+jwt"),
        ["two clients"] = issuer => issuer.CreateToken(Claims(("azp", new[] { "spa-client", "admin-spa" })), tokenType: "at+jwt"),
        ["disallowed azp with allowed appid"] = issuer => issuer.CreateToken(Claims(("azp", "evil"), ("appid", "spa-client")), tokenType: "at+jwt"),
        ["customer claim an array"] = issuer => issuer.CreateToken(Claims(("org_id", new[] { "org_42", "org_99" })), tokenType: "at+jwt"),
        ["crit header"] = issuer => issuer.CreateToken(Claims(), tokenType: "at+jwt", header: new Dictionary<string, object> { ["crit"] = new[] { "b64" }, ["b64"] = true }),
    };

    /// <summary>A correctly signed RS256 token whose header has no <c>typ</c> (IdentityModel always writes one).</summary>
    private static string SignedWithoutTyp(FakeOidcIssuer issuer, Dictionary<string, object> claims)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims["iss"] = issuer.Authority;
        claims["aud"] = FakeOidcIssuer.Audience;
        claims["nbf"] = now - 60;
        claims["exp"] = now + 600;
        var header = Jwt.Base64Url(Encoding.UTF8.GetBytes($$"""{"alg":"RS256","kid":"{{FakeOidcIssuer.RsaKey.KeyId}}"}"""));
        var payload = Jwt.Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = FakeOidcIssuer.RsaKey.Rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Jwt.Base64Url(signature)}";
    }
}
