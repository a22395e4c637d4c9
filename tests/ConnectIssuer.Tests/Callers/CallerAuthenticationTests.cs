using System.Security.Claims;
using System.Security.Cryptography;
using ConnectIssuer.Callers;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Tests.Callers;

/// <summary>Caller authentication through the real server: the token attack set, Easy Auth and Development mode.</summary>
public sealed class CallerAuthenticationTests : IAsyncLifetime
{
    private FakeOidcIssuer _issuer = null!;
    private RunningApp _server = null!;

    public async Task InitializeAsync()
    {
        _issuer = await FakeOidcIssuer.SharedAsync();
        var settings = _issuer.Settings();
        settings["IntegrationApp:WorkspaceKey"] = "ws";
        settings["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests";
        settings["RateLimit:PermitsPerMinute"] = "1000";
        _server = await TestApp.StartServerAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    public static TheoryData<string> Attacks => [.. AttackTokens().Keys];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task AuthenticateAsync_AttackToken_Returns401WithBearerChallenge(string attack)
    {
        var token = AttackTokens()[attack](_issuer);

        var response = await _server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", token));

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        _server.Logs.AssertNoneContain([token]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("bearer\tabc")]
    public async Task AuthenticateAsync_MissingOrMalformedHeader_Returns401(string? header)
    {
        var request = HttpExtensions.Post("/api/integration-app/token");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        var response = await _server.Client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task AuthenticateAsync_TwoAuthorizationHeaders_Returns401()
    {
        var request = HttpExtensions.Post("/api/integration-app/token");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + _issuer.CreateToken(), "Bearer " + _issuer.CreateToken()]);

        var response = await _server.Client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task AuthenticateAsync_ForgedEasyAuthHeaderInOidcMode_AuthenticatesNobody()
    {
        var request = HttpExtensions.Post("/api/integration-app/token");
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL", EasyAuthPrincipal(("org_id", "org_42")));
        request.Headers.Add("X-Customer-Id", "org_42");

        var response = await _server.Client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task AuthenticateAsync_ValidToken_ReadsCustomerFromConfiguredClaim()
    {
        var response = await _server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()));

        var body = await response.ReadJsonAsync();
        Assert.Equal("org_42", body.GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task Development_Headers_NameTheCaller()
    {
        await using var server = await TestApp.StartServerAsync(
            new Dictionary<string, string?>
            {
                ["Auth:Mode"] = "Development",
                ["IntegrationApp:WorkspaceKey"] = "ws",
                ["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests",
            },
            "Development");
        var request = HttpExtensions.Post("/api/integration-app/admin-token");
        request.Headers.Add("X-Customer-Id", "dev-org");
        request.Headers.Add("X-Customer-Admin", "true");

        var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Development_ModeOutsideDevelopment_RefusesToStart()
    {
        var exception = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            TestApp.StartServerAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Production"));

        Assert.Contains("Auth:Mode=Development", exception.Message, StringComparison.Ordinal);
    }

    internal static string EasyAuthPrincipal(params (string Type, string Value)[] claims) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new
        {
            auth_typ = "aad",
            claims = claims.Select(c => new { typ = c.Type, val = c.Value }),
            name_typ = "name",
            role_typ = "roles",
        }));

    internal static Dictionary<string, Func<FakeOidcIssuer, string>> AttackTokens() => new()
    {
        ["unsigned alg none"] = issuer => UnsignedToken(issuer),
        ["HMAC signed with the RSA public key"] = issuer => HmacWithPublicKey(issuer),
        ["unknown key with a known kid"] = issuer => issuer.CreateToken(
            credentials: new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = FakeOidcIssuer.RsaKey.KeyId }, SecurityAlgorithms.RsaSha256)),
        ["unknown key and kid"] = issuer => issuer.CreateToken(
            credentials: new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "other" }, SecurityAlgorithms.RsaSha256)),
        ["expired"] = issuer => issuer.CreateToken(notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddMinutes(-5)),
        ["not yet valid"] = issuer => issuer.CreateToken(notBefore: DateTime.UtcNow.AddMinutes(10), expires: DateTime.UtcNow.AddMinutes(30)),
        ["wrong audience"] = issuer => issuer.CreateToken(audience: "api://someone-else"),
        ["wrong issuer"] = issuer => issuer.CreateToken(issuer: "https://evil.example"),
        ["missing customer claim"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-1" }),
        ["empty customer claim"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-1", ["org_id"] = "" }),
        ["oversized token"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["org_id"] = "org_42", ["pad"] = new string('a', 20_000) }),
        ["garbage segments"] = _ => "eyJ.garbage.%%%",
        ["two segments"] = _ => "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0",
        ["signature stripped"] = issuer => issuer.CreateToken()[..(issuer.CreateToken().LastIndexOf('.') + 1)],
        ["payload swapped after signing"] = issuer => SwapPayload(issuer.CreateToken()),
        ["customer claim an array of two"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-1", ["org_id"] = new[] { "org_42", "org_99" } }),
        ["customer claim an array of one"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-1", ["org_id"] = new[] { "org_42" } }),
        ["customer claim an object"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-1", ["org_id"] = new Dictionary<string, object> { ["id"] = "org_42" } }),
        ["sub with a control character"] = issuer => issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-1\ncustomer=org_99", ["org_id"] = "org_42" }),
        ["unknown crit header"] = issuer => issuer.CreateToken(header: new Dictionary<string, object> { ["crit"] = new[] { "exp-ext" }, ["exp-ext"] = true }),
    };

    private static string UnsignedToken(FakeOidcIssuer issuer)
    {
        var header = Jwt.Base64Url("""{"alg":"none","typ":"JWT"}"""u8);
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var payload = Jwt.Base64Url(Encoding.UTF8.GetBytes(
            $$"""{"iss":"{{issuer.Authority}}","aud":"{{FakeOidcIssuer.Audience}}","org_id":"org_42","sub":"x","exp":{{exp}}}"""));
        return $"{header}.{payload}.";
    }

    private static string HmacWithPublicKey(FakeOidcIssuer issuer)
    {
        var publicKeyBytes = FakeOidcIssuer.RsaKey.Rsa.ExportSubjectPublicKeyInfo();
        var key = new SymmetricSecurityKey(publicKeyBytes) { KeyId = FakeOidcIssuer.RsaKey.KeyId };
        return issuer.CreateToken(credentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
    }

    private static string SwapPayload(string token)
    {
        var parts = token.Split('.');
        var forged = Jwt.Decode(token).Payload.ToString().Replace("org_42", "org_99", StringComparison.Ordinal);
        return $"{parts[0]}.{Jwt.Base64Url(Encoding.UTF8.GetBytes(forged))}.{parts[2]}";
    }
}

/// <summary>Unit checks of the claim mapping that all three modes share.</summary>
public sealed class CallerClaimsTests
{
    [Theory]
    [InlineData("connect-admin", true)]
    [InlineData("reader connect-admin", true)]
    [InlineData("connect-admins", false)]
    [InlineData("Connect-Admin", false)]
    public void ToCaller_RolesClaim_RecognisesAdminExactly(string roles, bool isAdmin)
    {
        var identity = new ClaimsIdentity([new Claim("sub", "u"), new Claim("roles", roles)]);

        var caller = CallerClaims.ToCaller(identity, new CallerAuthenticationOptions());

        Assert.Equal(isAdmin, caller.IsAdmin);
    }

    [Fact]
    public void ToCaller_CustomerIdWithControlCharacters_IsRefused()
    {
        var identity = new ClaimsIdentity([new Claim("sub", "a\nb")]);

        var exception = Assert.Throws<ConnectIssuer.Http.ApiProblemException>(() => CallerClaims.ToCaller(identity, new CallerAuthenticationOptions()));

        Assert.Equal(401, exception.Status);
    }

    [Fact]
    public void ToCaller_TwoCustomerIdValues_IsRefusedNotReducedToTheFirst()
    {
        var identity = new ClaimsIdentity([new Claim("sub", "u"), new Claim("org_id", "org_42"), new Claim("org_id", "org_99")]);

        var exception = Assert.Throws<ConnectIssuer.Http.ApiProblemException>(
            () => CallerClaims.ToCaller(identity, new CallerAuthenticationOptions { CustomerIdClaim = "org_id" }));

        Assert.Equal(401, exception.Status);
        Assert.Equal("invalid_token", exception.BearerError);
    }

    [Theory]
    [InlineData("user\r\ncustomer=org_99")]
    [InlineData("user\u0000")]
    [InlineData(" ")]
    public void ToCaller_UnusableSubject_IsRefusedLikeACustomerId(string subject)
    {
        var identity = new ClaimsIdentity([new Claim("sub", System.Text.RegularExpressions.Regex.Unescape(subject)), new Claim("org_id", "org_42")]);

        var exception = Assert.Throws<ConnectIssuer.Http.ApiProblemException>(
            () => CallerClaims.ToCaller(identity, new CallerAuthenticationOptions { CustomerIdClaim = "org_id" }));

        Assert.Equal(401, exception.Status);
    }

    [Fact]
    public void ToCaller_SubjectOverTheLengthLimit_IsRefused()
    {
        var identity = new ClaimsIdentity([new Claim("sub", new string('s', CallerClaims.MaxCustomerIdLength + 1)), new Claim("org_id", "org_42")]);

        Assert.Throws<ConnectIssuer.Http.ApiProblemException>(() => CallerClaims.ToCaller(identity, new CallerAuthenticationOptions { CustomerIdClaim = "org_id" }));
    }

    [Fact]
    public void ToCaller_MintedTokenRoundTrip_KeepsArrayRolesAsSeparateClaims()
    {
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var token = handler.ReadJsonWebToken(handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "u", ["roles"] = new[] { "a", "connect-admin" } },
            SigningCredentials = new SigningCredentials(FakeOidcIssuer.RsaKey, SecurityAlgorithms.RsaSha256),
        }));

        var caller = CallerClaims.ToCaller(new ClaimsIdentity(token.Claims), new CallerAuthenticationOptions());

        Assert.True(caller.IsAdmin);
    }
}
