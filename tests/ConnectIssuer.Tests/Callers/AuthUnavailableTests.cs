using System.Security.Cryptography;
using ConnectIssuer.Callers;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Tests.Callers;

/// <summary>
/// Issue 14 item 6 through the real server: when the provider's metadata or keys cannot be read, the answer is
/// <c>503 auth_unavailable</c> with <c>Retry-After</c>, never a 401 that would sign the SPA's user out. A token the
/// last good keys cannot verify stays a 401.
/// </summary>
public sealed class AuthUnavailableTests
{
    private static readonly Dictionary<string, string?> IntegrationApp = new()
    {
        ["IntegrationApp:WorkspaceKey"] = "ws",
        ["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests",
        ["RateLimit:PermitsPerMinute"] = "1000",
    };

    [Fact]
    public async Task ValidToken_ProviderStopped_Returns503AuthUnavailable()
    {
        var issuer = await FakeOidcIssuer.StartAsync();
        var token = issuer.CreateToken();
        await using var server = await TestApp.StartServerAsync(Settings(issuer));
        await issuer.DisposeAsync();

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", token));

        await AssertAuthUnavailableAsync(response);
        server.Logs.AssertNoneContain([token]);
        Assert.Contains(server.Logs.Lines, l => l.Contains("503 auth_unavailable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OidcFault.ServerError)]
    [InlineData(OidcFault.Garbage)]
    [InlineData(OidcFault.KeysUnavailable)]
    public async Task ValidToken_ProviderFailing_Returns503AuthUnavailable(OidcFault fault)
    {
        await using var issuer = await FakeOidcIssuer.StartAsync();
        issuer.Fault = fault;
        await using var server = await TestApp.StartServerAsync(Settings(issuer));

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()));

        await AssertAuthUnavailableAsync(response);
    }

    [Fact]
    public async Task MalformedToken_ProviderFailing_StillReturns401()
    {
        await using var issuer = await FakeOidcIssuer.StartAsync();
        issuer.Fault = OidcFault.ServerError;
        await using var server = await TestApp.StartServerAsync(Settings(issuer));

        var response = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", "not-a-jwt"));

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(0, issuer.MetadataRequests);
    }

    [Fact]
    public async Task UnknownKid_AfterASuccessfulFetch_Returns401EvenWhenTheProviderThenFails()
    {
        await using var issuer = await FakeOidcIssuer.StartAsync();
        await using var server = await TestApp.StartServerAsync(Settings(issuer));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()))).StatusCode);
        issuer.Fault = OidcFault.ServerError;
        var unknownKey = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rotated-key" }, SecurityAlgorithms.RsaSha256);

        var unknownKid = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken(credentials: unknownKey)));
        var known = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()));

        await unknownKid.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }

    [Fact]
    public async Task ProviderBack_AfterTheRetryDelay_TokensPassAgain()
    {
        await using var issuer = await FakeOidcIssuer.StartAsync();
        issuer.Fault = OidcFault.ServerError;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestApp.StartServerAsync(Settings(issuer), services: s => s.AddSingleton<TimeProvider>(clock));
        await AssertAuthUnavailableAsync(await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken())));
        var requestsAfterFailure = issuer.MetadataRequests;

        issuer.Fault = OidcFault.None;
        var withinDelay = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()));
        clock.Advance(OidcCallerAuthenticator.MetadataRetryDelay);
        var afterDelay = await server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()));

        // Within the delay callers are answered at once, without queueing for another fetch from a failing provider.
        await AssertAuthUnavailableAsync(withinDelay);
        Assert.Equal(HttpStatusCode.OK, afterDelay.StatusCode);
        Assert.Equal(requestsAfterFailure + 1, issuer.MetadataRequests);
    }

    private static Dictionary<string, string?> Settings(FakeOidcIssuer issuer)
    {
        var settings = issuer.Settings();
        foreach (var (key, value) in IntegrationApp)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task AssertAuthUnavailableAsync(HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "auth_unavailable");
        Assert.Empty(response.Headers.WwwAuthenticate);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), OidcCallerAuthenticator.MetadataRetryDelay);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("retry", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
