using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using ConnectIssuer.Tests.Vendors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Secrets;

/// <summary>
/// How vendor calls use Key Vault: the first secret read counts against <c>Vendors:Timeout</c>, and vendor 401s
/// re-read a secret at most once per 30 s. The real vendor HTTP stack (<see cref="VendorTestStack"/>) and <see cref="SecretStore"/>
/// against the fake vault and a loopback vendor; the clock (and the deadline's timer) is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class VendorSecretReadTests : IAsyncLifetime
{
    private const string ApiKey = "vendor-secret-read-key-4e1a";
    private static readonly TimeSpan VendorTimeout = TimeSpan.FromSeconds(10);

    private readonly FakeKeyVault _vault = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly VendorTestStack.ScriptedSimulation _simulation = new(ApiKey);
    private VendorServer _vendor = null!;

    public async Task InitializeAsync()
    {
        _vault.Secrets[SecretNames.AlloyApiKey] = ApiKey;
        _vendor = await VendorServer.StartAsync(_simulation);
    }

    public async Task DisposeAsync()
    {
        await _vendor.DisposeAsync();
        _vault.Dispose();
    }

    [Fact]
    public async Task SendAsync_ColdSecretReadOutlastsVendorTimeout_ThrowsSecretsUnavailableWithoutCallingVendor()
    {
        var logs = new CapturedLogs();
        using var stack = CreateStack(logs);
        _vault.HoldReads();

        var send = stack.Client.SendAsync(idempotent: false);
        await _vault.WaitForHeldReadsAsync(1);
        _clock.Advance(VendorTimeout);
        _vault.ReleaseReads();

        var exception = await Assert.ThrowsAsync<SecretsUnavailableException>(() => send);
        Assert.Equal(SecretNames.AlloyApiKey, exception.SecretName);
        Assert.Empty(_vendor.Requests);
        var warning = Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning && IsOwn(entry));
        Assert.Contains(SecretNames.AlloyApiKey, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, warning.Everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ColdSecretReadWithinVendorTimeout_CallsVendor()
    {
        using var stack = CreateStack();
        _vault.HoldReads();

        var send = stack.Client.SendAsync(idempotent: false);
        await _vault.WaitForHeldReadsAsync(1);
        _clock.Advance(VendorTimeout - TimeSpan.FromSeconds(1));
        _vault.ReleaseReads();

        using var response = await send;
        Assert.True(response.IsSuccessStatusCode);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task SendAsync_Vendor401OnEveryCall_ReReadsSecretAtMostOncePer30Seconds()
    {
        using var stack = CreateStack();
        _simulation.AcceptedKey = "a-key-the-vault-does-not-have";

        for (var i = 0; i < 5; i++)
        {
            using var response = await stack.Client.SendAsync(idempotent: false);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            _clock.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(2, _vault.ReadCount(SecretNames.AlloyApiKey));   // the first read and one re-read

        _clock.Advance(TimeSpan.FromSeconds(5));
        _vault.Secrets[SecretNames.AlloyApiKey] = _simulation.AcceptedKey;
        using var success = await stack.Client.SendAsync(idempotent: false);
        Assert.True(success.IsSuccessStatusCode);

        Assert.Equal(3, _vault.ReadCount(SecretNames.AlloyApiKey));
    }

    [Fact]
    public async Task SendAsync_CallerLeavesDuringColdSecretRead_IsACancellationNotSecretsUnavailable()
    {
        var logs = new CapturedLogs();
        using var stack = CreateStack(logs);
        using var caller = new CancellationTokenSource();
        _vault.HoldReads();

        var send = stack.Client.SendAsync(idempotent: false, cancellationToken: caller.Token);
        await _vault.WaitForHeldReadsAsync(1);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        _vault.ReleaseReads();
        Assert.Empty(_vendor.Requests);
        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Warning && IsOwn(entry));
    }

    private VendorTestStack CreateStack(ILoggerProvider? logs = null)
    {
        var store = new SecretStore(
            _vault.CreateClient(networkTimeout: TimeSpan.FromSeconds(30)),
            new ConfigurationBuilder().Build(),
            Options.Create(new KeyVaultOptions { Uri = _vault.VaultUri }),
            _clock,
            NullLogger<SecretStore>.Instance);
        return new VendorTestStack(_vendor.BaseUrl, store, VendorTimeout, _clock, logs);
    }

    /// <summary>The vendor stack's own log lines (not the HttpClient factory's request logging).</summary>
    private static bool IsOwn(CapturedLog entry) => entry.Category.StartsWith("ConnectIssuer.", StringComparison.Ordinal);
}
