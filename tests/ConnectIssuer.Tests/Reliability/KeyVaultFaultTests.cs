using System.Globalization;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>
/// Key Vault failures through the real server: a warm cache keeps serving (and logs) while the vault is down, a
/// cold one answers 503, and a 403 (access withdrawn) stops serving the cached value.
/// </summary>
[Collection(ReliabilitySuite.Name)]
public sealed class KeyVaultFaultTests(ReliabilityReport report)
{
    private const string Secret = "kv-fault-workspace-secret-19af";

    public static TheoryData<VaultFault> Faults => [VaultFault.Forbidden, VaultFault.ServerError, VaultFault.Hang];

    public static TheoryData<VaultFault> Outages => [VaultFault.ServerError, VaultFault.Hang];

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task VaultFails_WarmCache_ServesCachedValueAndLogs(VaultFault fault)
    {
        await using var harness = await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await harness.Server.Client.SendAsync(Request(harness.Issuer))).StatusCode);
        harness.Vault.Fault = fault;
        harness.Clock.Advance(TimeSpan.FromMinutes(6));

        var response = await harness.Server.Client.SendAsync(Request(harness.Issuer));

        var warned = harness.Server.Logs.Lines.Any(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(SecretNames.IntegrationAppWorkspaceSecret, StringComparison.Ordinal));
        Record(fault, "warm (expired, cached value present)", response, warned, harness);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(warned);
        harness.Server.Logs.AssertNoneContain([Secret]);
    }

    [Fact]
    public async Task VaultForbidden_WarmCache_Returns503SecretsUnavailable()
    {
        await using var harness = await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await harness.Server.Client.SendAsync(Request(harness.Issuer))).StatusCode);
        harness.Vault.Fault = VaultFault.Forbidden;
        harness.Clock.Advance(TimeSpan.FromMinutes(6));

        var response = await harness.Server.Client.SendAsync(Request(harness.Issuer));
        var again = await harness.Server.Client.SendAsync(Request(harness.Issuer));

        var logged = harness.Server.Logs.Lines.Any(l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(SecretNames.IntegrationAppWorkspaceSecret, StringComparison.Ordinal));
        Record(VaultFault.Forbidden, "warm (expired, cached value present)", response, logged, harness);
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "secrets_unavailable");
        await again.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "secrets_unavailable");
        Assert.Equal(2, harness.Vault.ReadCount(SecretNames.IntegrationAppWorkspaceSecret));
        Assert.True(logged);
        harness.Server.Logs.AssertNoneContain([Secret, FakeKeyVault.ErrorBodyMarker]);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task VaultFails_ColdCache_Returns503SecretsUnavailable(VaultFault fault)
    {
        await using var harness = await StartAsync();
        harness.Vault.Fault = fault;

        var response = await harness.Server.Client.SendAsync(Request(harness.Issuer));

        var logged = harness.Server.Logs.Lines.Any(l => l.Contains(SecretNames.IntegrationAppWorkspaceSecret, StringComparison.Ordinal));
        Record(fault, "cold (nothing cached)", response, logged, harness);
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "secrets_unavailable");
        Assert.DoesNotContain(FakeKeyVault.ErrorBodyMarker, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        harness.Server.Logs.AssertNoneContain([Secret, FakeKeyVault.ErrorBodyMarker]);
    }

    private void Record(VaultFault fault, string cache, HttpResponseMessage response, bool logged, Harness harness) =>
        report.Add(
            "4 Key Vault faults",
            ["vault fault", "cache", "answer", "failure logged", "vault reads"],
            fault.ToString(), cache, $"{(int)response.StatusCode}", logged ? "yes" : "no",
            harness.Vault.ReadCount(SecretNames.IntegrationAppWorkspaceSecret).ToString(CultureInfo.InvariantCulture));

    private static HttpRequestMessage Request(FakeOidcIssuer issuer) => HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken());

    private static async Task<Harness> StartAsync()
    {
        var issuer = await FakeOidcIssuer.SharedAsync();
        var vault = new FakeKeyVault();
        vault.Secrets[SecretNames.IntegrationAppWorkspaceSecret] = Secret;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = issuer.Settings();
        settings["KeyVault:Uri"] = vault.VaultUri.AbsoluteUri;
        settings["IntegrationApp:WorkspaceKey"] = "kv-ws";
        var server = await TestApp.StartServerAsync(settings, services: s =>
        {
            s.AddSingleton(vault.CreateClient());
            s.AddSingleton<TimeProvider>(clock);
        });
        return new Harness(issuer, vault, clock, server);
    }

    private sealed record Harness(FakeOidcIssuer Issuer, FakeKeyVault Vault, FakeTimeProvider Clock, RunningApp Server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Vault.Dispose();
        }
    }
}
