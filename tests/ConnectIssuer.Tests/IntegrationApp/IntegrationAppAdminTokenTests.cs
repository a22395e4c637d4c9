using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.IntegrationApp;

/// <summary>
/// <c>POST /api/integration-app/admin-token</c>: its own short lifetime (<c>IntegrationApp:AdminTokenLifetime</c>) and the
/// optional recent-sign-in rule (<c>Auth:AdminMaxAuthAge</c> against the caller token's <c>auth_time</c>, on the service's clock).
/// </summary>
public sealed class IntegrationAppAdminTokenTests : IAsyncLifetime
{
    private const string WorkspaceKey = "ws-key-admin";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await FakeOidcIssuer.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AdminToken_Default_LivesFifteenMinutesWhileCustomerTokensKeepTokenLifetime()
    {
        await using var server = await StartAsync();

        var admin = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", AdminBearer()))).ReadJsonAsync();
        var customer = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", AdminBearer()))).ReadJsonAsync();

        Assert.Equal(TimeSpan.FromMinutes(15), Lifetime(admin));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(15), admin.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(1), Lifetime(customer));
    }

    [Fact]
    public async Task AdminToken_AdminTokenLifetimeSet_IsUsedForAdminTokensOnly()
    {
        await using var server = await StartAsync(new() { ["IntegrationApp:AdminTokenLifetime"] = "00:05:00", ["IntegrationApp:TokenLifetime"] = "02:00:00" });

        var admin = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", AdminBearer()))).ReadJsonAsync();
        var customer = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", AdminBearer()))).ReadJsonAsync();

        Assert.Equal(TimeSpan.FromMinutes(5), Lifetime(admin));
        Assert.Equal(TimeSpan.FromHours(2), Lifetime(customer));
    }

    [Theory]
    [InlineData("IntegrationApp:AdminTokenLifetime", "01:00:01", "IntegrationApp:AdminTokenLifetime")]
    [InlineData("IntegrationApp:AdminTokenLifetime", "00:00:30", "IntegrationApp:AdminTokenLifetime")]
    [InlineData("Auth:AdminMaxAuthAge", "2.00:00:00", "Auth:AdminMaxAuthAge")]
    [InlineData("Auth:AdminMaxAuthAge", "00:00:10", "Auth:AdminMaxAuthAge")]
    public async Task Start_AdminSettingOutOfRange_FailsNamingIt(string key, string value, string expectedInMessage)
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { [key] = value }));

        Assert.Contains(expectedInMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminToken_MaxAuthAgeSet_RecentSignInIsAcceptedUntilItIsTooOld()
    {
        await using var server = await StartAsync(new() { ["Auth:AdminMaxAuthAge"] = "00:05:00" });
        var bearer = AdminBearer(authTime: _clock.GetUtcNow() - TimeSpan.FromMinutes(4));

        var recent = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", bearer));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var onTheLimit = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", bearer));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var tooOld = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", bearer));

        Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onTheLimit.StatusCode);
        var problem = await tooOld.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("sign in again", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(server.Logs.Lines, l => l.Contains("integration-app/admin-token", StringComparison.Ordinal) && l.Contains("outcome=forbidden", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminToken_MaxAuthAgeSet_EachRefusalHasItsOwnDetail()
    {
        await using var server = await StartAsync(new() { ["Auth:AdminMaxAuthAge"] = "00:05:00" });

        var notAdmin = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", _issuer.CreateToken(new Dictionary<string, object>
        {
            ["sub"] = "u", ["org_id"] = "org_42", ["auth_time"] = _clock.GetUtcNow().ToUnixTimeSeconds(),
        })))).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var noAuthTime = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", AdminBearer())))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var tooOld = await (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", AdminBearer(_clock.GetUtcNow() - TimeSpan.FromHours(1)))))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        string?[] details = [.. new[] { notAdmin, noAuthTime, tooOld }.Select(p => p.GetProperty("detail").GetString())];
        Assert.Equal(3, details.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("auth_time", details[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-number")]
    [InlineData("-5")]
    [InlineData("99999999999999999999")]
    [InlineData("future")]
    public async Task AdminToken_MaxAuthAgeSet_UnusableAuthTimeIsRefused(string authTime)
    {
        await using var server = await StartAsync(new() { ["Auth:AdminMaxAuthAge"] = "00:05:00" });
        object value = authTime == "future" ? (_clock.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeSeconds() : authTime;

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", _issuer.CreateToken(new Dictionary<string, object>
        {
            ["sub"] = "u", ["org_id"] = "org_42", ["roles"] = new[] { "connect-admin" }, ["auth_time"] = value,
        })));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("auth_time", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminToken_MaxAuthAgeNotSet_NoAuthTimeNeeded()
    {
        await using var server = await StartAsync();

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", AdminBearer()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static TimeSpan Lifetime(JsonElement body)
    {
        var (_, payload) = Jwt.Decode(body.GetProperty("token").GetString()!);
        return TimeSpan.FromSeconds(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
    }

    private string AdminBearer(DateTimeOffset? authTime = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "u", ["org_id"] = "org_42", ["roles"] = new[] { "connect-admin" } };
        if (authTime is { } time)
        {
            claims["auth_time"] = time.ToUnixTimeSeconds();
        }

        return _issuer.CreateToken(claims);
    }

    private Task<RunningApp> StartAsync(Dictionary<string, string?>? overrides = null)
    {
        var settings = _issuer.Settings();
        settings["IntegrationApp:WorkspaceKey"] = WorkspaceKey;
        settings["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-admin-0123456789abcdef0123";
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return TestApp.StartServerAsync(settings, services: s => s.AddSingleton<TimeProvider>(_clock));
    }
}
