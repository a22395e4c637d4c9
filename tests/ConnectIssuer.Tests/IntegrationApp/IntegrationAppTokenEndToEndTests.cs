using System.Security.Cryptography;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Tests.IntegrationApp;

/// <summary>The Integration.app routes through the real server, a real OIDC issuer on loopback and real tokens.</summary>
public sealed class IntegrationAppTokenEndToEndTests : IAsyncLifetime
{
    private const string WorkspaceSecret = "ws-secret-0123456789abcdef0123456789abcdef";
    private const string WorkspaceKey = "ws-key-123";

    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await FakeOidcIssuer.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Token_ValidCaller_MintsHs512TokenWithCallerClaimsOnly()
    {
        await using var server = await StartAsync(new()
        {
            ["IntegrationApp:Fields:plan"] = "plan",
            ["IntegrationApp:Fields:groups"] = "groups",
            ["IntegrationApp:Fields:absent"] = "no_such_claim",
        });
        var bearer = _issuer.CreateToken(new Dictionary<string, object>
        {
            ["sub"] = "user-1", ["org_id"] = "org_42", ["name"] = "Acme Corp", ["plan"] = "pro", ["groups"] = new[] { "a", "b" },
        });

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));

        var body = await response.ReadJsonAsync();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("integration-app", body.GetProperty("vendor").GetString());
        Assert.Equal("org_42", body.GetProperty("customerId").GetString());
        var token = body.GetProperty("token").GetString()!;
        Assert.True(Jwt.VerifyHmac(token, HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(WorkspaceSecret)));
        var (header, payload) = Jwt.Decode(token);
        Assert.Equal("HS512", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal(WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.Equal("org_42", payload.GetProperty("id").GetString());
        Assert.Equal("Acme Corp", payload.GetProperty("name").GetString());
        var fields = payload.GetProperty("fields");
        Assert.Equal("pro", fields.GetProperty("plan").GetString());
        Assert.Equal("a,b", string.Join(",", fields.GetProperty("groups").EnumerateArray().Select(e => e.GetString())));
        Assert.False(fields.TryGetProperty("absent", out _));
        var iat = payload.GetProperty("iat").GetInt64();
        var exp = payload.GetProperty("exp").GetInt64();
        Assert.Equal(3600, exp - iat);
        Assert.InRange(iat, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp), body.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.EndsWith("Z", body.GetProperty("expiresAt").GetString(), StringComparison.Ordinal);
        Assert.False(payload.TryGetProperty("isAdmin", out _));
        server.Logs.AssertNoneContain([WorkspaceSecret, token, bearer]);
        Assert.Contains(server.Logs.Lines, l => l.Contains("Audit: integration-app/token", StringComparison.Ordinal) && l.Contains("customer=org_42", StringComparison.Ordinal) && l.Contains("outcome=issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_BodyTriesToSetClaims_ChangesNothing()
    {
        await using var server = await StartAsync();
        var bearer = _issuer.CreateToken();

        var response = await server.Client.SendAsync(HttpExtensions.Post(
            "/api/integration-app/token", bearer, """{"id":"evil","customerId":"evil","name":"Evil","fields":{"plan":"free"},"isAdmin":true}"""));

        var body = await response.ReadJsonAsync();
        Assert.Equal("org_42", body.GetProperty("customerId").GetString());
        var (_, payload) = Jwt.Decode(body.GetProperty("token").GetString()!);
        Assert.Equal("org_42", payload.GetProperty("id").GetString());
        Assert.Equal("Ada", payload.GetProperty("name").GetString());
        Assert.False(payload.TryGetProperty("fields", out _));
        Assert.False(payload.TryGetProperty("isAdmin", out _));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    [InlineData("ES384")]
    public async Task Token_AsymmetricAlgorithm_SignsWithPrivateKey(string algorithm)
    {
        using var rsa = RSA.Create(2048);
        using var ecdsa = ECDsa.Create(algorithm == "ES384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        var pem = algorithm.StartsWith("ES", StringComparison.Ordinal) ? ecdsa.ExportPkcs8PrivateKeyPem() : rsa.ExportPkcs8PrivateKeyPem();
        await using var server = await StartAsync(new()
        {
            ["IntegrationApp:Algorithm"] = algorithm,
            ["Secrets:IntegrationAppWorkspaceSecret"] = null,
            ["Secrets:IntegrationAppPrivateKey"] = pem,
        });

        var body = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()))).ReadJsonAsync();

        var token = body.GetProperty("token").GetString()!;
        Assert.Equal(algorithm, Jwt.Decode(token).Header.GetProperty("alg").GetString());
        var valid = algorithm switch
        {
            "RS256" => Jwt.VerifyRsa(token, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "PS256" => Jwt.VerifyRsa(token, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "ES256" => Jwt.VerifyEcdsa(token, ecdsa, HashAlgorithmName.SHA256),
            _ => Jwt.VerifyEcdsa(token, ecdsa, HashAlgorithmName.SHA384),
        };
        Assert.True(valid);
        server.Logs.AssertNoneContain([pem, token]);
    }

    [Fact]
    public async Task Token_PrivateKeyOfWrongCurve_Returns503NotConfiguredWithoutKeyMaterial()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = ecdsa.ExportPkcs8PrivateKeyPem();
        await using var server = await StartAsync(new() { ["IntegrationApp:Algorithm"] = "ES256", ["Secrets:IntegrationAppPrivateKey"] = pem });

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains("IntegrationAppPrivateKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS256", "ec-p256")]
    [InlineData("RS256", "rsa-1024")]
    [InlineData("ES256", "ec-p384")]
    [InlineData("PS256", "not-a-pem")]
    public async Task Health_PrivateKeyTheSignerRefuses_ReportsNotConfiguredLikeTheTokenRoute(string algorithm, string keyKind)
    {
        using var ec256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ec384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa1024 = RSA.Create(1024);
        var pem = keyKind switch
        {
            "ec-p256" => ec256.ExportPkcs8PrivateKeyPem(),
            "ec-p384" => ec384.ExportPkcs8PrivateKeyPem(),
            "rsa-1024" => rsa1024.ExportPkcs8PrivateKeyPem(),
            _ => "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
        };
        await using var server = await StartAsync(new() { ["IntegrationApp:Algorithm"] = algorithm, ["Secrets:IntegrationAppPrivateKey"] = pem });

        var health = await (await server.Client.GetAsync("/api/health")).ReadJsonAsync();
        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()));

        Assert.Equal("not-configured", health.GetProperty("vendors").GetProperty("integrationApp").GetString());
        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.StartsWith("Integration.app is not configured: the secret IntegrationAppPrivateKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        server.Logs.AssertNoneContain([pem]);
    }

    [Fact]
    public async Task Health_UsableSecrets_ReportsConfigured()
    {
        await using var server = await StartAsync();

        var health = await (await server.Client.GetAsync("/api/health")).ReadJsonAsync();

        Assert.Equal("configured", health.GetProperty("vendors").GetProperty("integrationApp").GetString());
    }

    [Fact]
    public async Task AdminToken_AdminCaller_MintsWorkspaceTokenWithoutId()
    {
        await using var server = await StartAsync();
        var bearer = _issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "u", ["org_id"] = "org_42", ["roles"] = new[] { "reader", "connect-admin" } });

        var body = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", bearer))).ReadJsonAsync();

        var (_, payload) = Jwt.Decode(body.GetProperty("token").GetString()!);
        Assert.True(payload.GetProperty("isAdmin").GetBoolean());
        Assert.False(payload.TryGetProperty("id", out _));
        Assert.Equal(WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.True(body.TryGetProperty("expiresAt", out _));
    }

    [Fact]
    public async Task AdminToken_RoleAsSingleString_IsAccepted()
    {
        await using var server = await StartAsync();
        var bearer = _issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "u", ["org_id"] = "org_42", ["roles"] = "connect-admin" });

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", bearer));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AdminToken_NonAdminCaller_Returns403()
    {
        await using var server = await StartAsync();
        var bearer = _issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "u", ["org_id"] = "org_42", ["roles"] = new[] { "connect-admins", "reader" } });

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", bearer));

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains(server.Logs.Lines, l => l.Contains("outcome=forbidden", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_WorkspaceKeyMissing_Returns503NotConfigured()
    {
        await using var server = await StartAsync(new() { ["IntegrationApp:WorkspaceKey"] = null });

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains("IntegrationApp:WorkspaceKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_SecretMissing_Returns503NotConfigured()
    {
        await using var server = await StartAsync(new() { ["Secrets:IntegrationAppWorkspaceSecret"] = null });

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()));

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
    }

    [Fact]
    public async Task Token_ShortWorkspaceSecret_StillSignsHs512()
    {
        // Workspace secrets are whatever the vendor console shows; the signer must not impose a key size.
        await using var server = await StartAsync(new() { ["Secrets:IntegrationAppWorkspaceSecret"] = "short-secret" });

        var body = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", _issuer.CreateToken()))).ReadJsonAsync();

        Assert.True(Jwt.VerifyHmac(body.GetProperty("token").GetString()!, HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes("short-secret")));
    }

    [Fact]
    public async Task Token_RateLimitExceeded_Returns429WithRetryAfterPerCustomer()
    {
        await using var server = await StartAsync(new() { ["RateLimit:PermitsPerMinute"] = "2" });
        var bearer = _issuer.CreateToken();

        var first = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));
        var second = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));
        var third = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));
        var otherCustomer = await server.Client.SendAsync(HttpExtensions.Post(
            "/api/integration-app/token", _issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "u2", ["org_id"] = "org_43" })));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await third.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = third.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 30);
        Assert.Equal(HttpStatusCode.OK, otherCustomer.StatusCode);
    }

    [Fact]
    public async Task Token_ReadsMetadataOnceForManyRequests()
    {
        await using var issuer = await FakeOidcIssuer.StartAsync();   // its own: the count would include other servers' reads
        await using var server = await StartAsync(issuer.Settings());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()))).StatusCode);
        }

        Assert.Equal(1, issuer.MetadataRequests);
    }

    [Fact]
    public async Task Token_EsCallerToken_IsAccepted()
    {
        await using var server = await StartAsync();
        var bearer = _issuer.CreateToken(credentials: new SigningCredentials(FakeOidcIssuer.EcKey, SecurityAlgorithms.EcdsaSha256));

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<RunningApp> StartAsync(Dictionary<string, string?>? overrides = null)
    {
        var settings = _issuer.Settings();
        settings["IntegrationApp:WorkspaceKey"] = WorkspaceKey;
        settings["Secrets:IntegrationAppWorkspaceSecret"] = WorkspaceSecret;
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return TestApp.StartServerAsync(settings);
    }
}
