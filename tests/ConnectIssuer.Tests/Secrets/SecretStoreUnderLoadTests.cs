using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Secrets;

/// <summary>
/// Many concurrent requests through the real server and pipeline, with the secret store in Key Vault mode against
/// the fake vault: each secret is read at most once per <c>KeyVault:CacheTtl</c> per instance (a correctness
/// property of the cache and its single-flight read, not a timing).
/// </summary>
public sealed class SecretStoreUnderLoadTests : IAsyncLifetime
{
    private const int Concurrency = 200;
    private static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(5);

    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await FakeOidcIssuer.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task IntegrationAppToken_ManyConcurrentRequestsOverTwoTtls_OneVaultReadPerTtl()
    {
        using var vault = new FakeKeyVault();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        vault.Secrets[SecretNames.IntegrationAppWorkspaceSecret] = "ws-secret-0123456789abcdef0123456789abcdef";
        var settings = _issuer.Settings();
        settings["KeyVault:Uri"] = vault.VaultUri.AbsoluteUri;
        settings["KeyVault:CacheTtl"] = CacheTtl.ToString();
        settings["IntegrationApp:WorkspaceKey"] = "ws-key-123";
        settings["RateLimit:PermitsPerMinute"] = "100000";
        await using var server = await TestApp.StartServerAsync(settings, services: s =>
        {
            s.AddSingleton(vault.CreateClient(networkTimeout: TimeSpan.FromSeconds(10)));
            s.AddSingleton<TimeProvider>(clock);
        });
        var bearer = _issuer.CreateToken();

        // Cold cache: the read is held until a burst is waiting on it, so the burst must share that one read.
        vault.HoldReads();
        var cold = BurstAsync(server, bearer);
        await vault.WaitForHeldReadsAsync(1);
        vault.ReleaseReads();
        await cold;
        Assert.Equal(1, vault.ReadCount(SecretNames.IntegrationAppWorkspaceSecret));

        // Just inside the TTL: served from the cache.
        clock.Advance(CacheTtl - TimeSpan.FromSeconds(1));
        await BurstAsync(server, bearer);
        Assert.Equal(1, vault.ReadCount(SecretNames.IntegrationAppWorkspaceSecret));

        // Past the TTL: one more read for the whole burst.
        clock.Advance(TimeSpan.FromSeconds(2));
        await BurstAsync(server, bearer);
        Assert.Equal(2, vault.ReadCount(SecretNames.IntegrationAppWorkspaceSecret));

        Assert.Equal(0, vault.ReadCount(SecretNames.IntegrationAppPrivateKey));
    }

    private static async Task BurstAsync(RunningApp server, string bearer)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ =>
            server.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer, "{}"))));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
