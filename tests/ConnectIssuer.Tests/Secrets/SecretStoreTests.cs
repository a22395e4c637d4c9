using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Secrets;

public sealed class SecretStoreTests : IDisposable
{
    private const string Name = SecretNames.AlloyApiKey;
    private const string Value = "alloy-key-value-7f3c9e";
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly FakeKeyVault _vault = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();

    public SecretStoreTests() => _vault.Secrets[Name] = Value;

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task GetAsync_WarmCache_ReadsVaultOnce()
    {
        var store = CreateStore();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(Value, await store.GetAsync(Name));
        }

        Assert.Equal(1, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_FirstRead_AnswersBearerChallengeThenReadsWithToken()
    {
        var store = CreateStore();

        Assert.Equal(Value, await store.GetAsync(Name));
        store.Invalidate(Name);
        Assert.Equal(Value, await store.GetAsync(Name));

        Assert.Equal(1, _vault.Challenges);
        Assert.Equal(2, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_TtlExpired_ReadsVaultAgainAndPicksUpRotatedValue()
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        _vault.Secrets[Name] = "rotated-value";

        _clock.Advance(Ttl - TimeSpan.FromSeconds(1));
        Assert.Equal(Value, await store.GetAsync(Name));
        Assert.Equal(1, _vault.ReadCount(Name));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("rotated-value", await store.GetAsync(Name));
        Assert.Equal(2, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallersWithColdCache_ShareOneRead()
    {
        var store = CreateStore(networkTimeout: HeldReadTimeout);
        _vault.HoldReads();

        var gets = Enumerable.Range(0, 20).Select(_ => store.GetAsync(Name).AsTask()).ToArray();
        await _vault.WaitForHeldReadsAsync(1);
        Assert.DoesNotContain(gets, get => get.IsCompleted);
        _vault.ReleaseReads();

        Assert.All(await Task.WhenAll(gets), value => Assert.Equal(Value, value));
        Assert.Equal(1, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallersWithExpiredCache_ShareOneRead()
    {
        var store = CreateStore(networkTimeout: HeldReadTimeout);
        await store.GetAsync(Name);
        _clock.Advance(Ttl);
        _vault.HoldReads();

        var gets = Enumerable.Range(0, 20).Select(_ => store.GetAsync(Name).AsTask()).ToArray();
        await _vault.WaitForHeldReadsAsync(1);
        _vault.ReleaseReads();

        Assert.All(await Task.WhenAll(gets), value => Assert.Equal(Value, value));
        Assert.Equal(2, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_OneCallerCancels_SharedReadStillCompletesForOthers()
    {
        var store = CreateStore(networkTimeout: HeldReadTimeout);
        _vault.HoldReads();
        using var cancellation = new CancellationTokenSource();

        var cancelled = store.GetAsync(Name, cancellation.Token).AsTask();
        var other = store.GetAsync(Name).AsTask();
        await _vault.WaitForHeldReadsAsync(1);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _vault.ReleaseReads();
        Assert.Equal(Value, await other);
        Assert.Equal(Value, await store.GetAsync(Name));
        Assert.Equal(1, _vault.ReadCount(Name));
    }

    [Theory]
    [InlineData(VaultFault.ServerError)]
    [InlineData(VaultFault.Hang)]
    public async Task GetAsync_VaultFailsAfterWarm_ServesCachedValueAndLogsWarning(VaultFault fault)
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        _clock.Advance(Ttl);
        _vault.Fault = fault;

        Assert.Equal(Value, await store.GetAsync(Name));

        var warning = Assert.Single(_logs.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Contains(Name, warning.Message, StringComparison.Ordinal);
        AssertNothingLeaked();
    }

    [Fact]
    public async Task GetAsync_VaultFailingWithStaleValue_BacksOffBeforeReadingAgain()
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        _clock.Advance(Ttl);
        _vault.Fault = VaultFault.ServerError;   // the client tries 3 times per refresh attempt
        Assert.Equal(Value, await store.GetAsync(Name));
        Assert.Equal(1 + ReadsPerFailedAttempt, _vault.ReadCount(Name));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(Value, await store.GetAsync(Name));
        Assert.Equal(1 + ReadsPerFailedAttempt, _vault.ReadCount(Name));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Value, await store.GetAsync(Name));
        Assert.Equal(1 + (2 * ReadsPerFailedAttempt), _vault.ReadCount(Name));

        _vault.Fault = VaultFault.None;
        _vault.Secrets[Name] = "recovered-value";
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("recovered-value", await store.GetAsync(Name));
        Assert.Equal(2 + (2 * ReadsPerFailedAttempt), _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_StaleBackoff_IsCappedByTtl()
    {
        var store = CreateStore(ttl: TimeSpan.FromSeconds(10));
        await store.GetAsync(Name);
        _clock.Advance(TimeSpan.FromSeconds(10));
        _vault.Fault = VaultFault.ServerError;
        await store.GetAsync(Name);

        _clock.Advance(TimeSpan.FromSeconds(10));
        await store.GetAsync(Name);

        Assert.Equal(1 + (2 * ReadsPerFailedAttempt), _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_VaultFailing_ServesCachedValueForAtMostMaxStalePastTtl()
    {
        var maxStale = TimeSpan.FromMinutes(10);
        var store = CreateStore(maxStale: maxStale);
        await store.GetAsync(Name);
        _vault.Fault = VaultFault.ServerError;

        _clock.Advance(Ttl + maxStale - TimeSpan.FromSeconds(1));
        Assert.Equal(Value, await store.GetAsync(Name));

        _clock.Advance(TimeSpan.FromSeconds(1));   // still inside the back-off of the failed read above
        var withinBackoff = await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());
        _clock.Advance(TimeSpan.FromSeconds(30));
        var afterBackoff = await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());

        Assert.Contains(_logs.Entries, entry => entry.Level == LogLevel.Error && entry.Message.Contains("no longer served", StringComparison.Ordinal));
        AssertNothingLeaked(withinBackoff, afterBackoff);

        _vault.Fault = VaultFault.None;
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Value, await store.GetAsync(Name));
    }

    [Fact]
    public async Task GetAsync_DefaultMaxStale_IsOneHourPastTtl()
    {
        var store = new SecretStore(
            _vault.CreateClient(), new ConfigurationBuilder().Build(), Options.Create(new KeyVaultOptions { Uri = _vault.VaultUri }), _clock, _logs.For<SecretStore>());
        await store.GetAsync(Name);
        _vault.Fault = VaultFault.ServerError;

        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(Value, await store.GetAsync(Name));
        _clock.Advance(TimeSpan.FromSeconds(31));

        await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());
    }

    [Fact]
    public async Task GetAsync_VaultForbiddenAfterWarm_StopsServingCachedValue()
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        _clock.Advance(Ttl);
        _vault.Fault = VaultFault.Forbidden;   // role revoked or secret disabled

        var refused = await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());
        var meanwhile = await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());

        Assert.Equal(2, _vault.ReadCount(Name));   // the second answer came from the back-off, not the vault
        Assert.Contains(_logs.Entries, entry => entry.Level == LogLevel.Error && entry.Message.Contains("refused", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Entries, entry => entry.Level == LogLevel.Warning);
        AssertNothingLeaked(refused, meanwhile);
    }

    [Fact]
    public async Task GetAsync_VaultForbiddenThenRestored_ServesNewValueAfterBackoff()
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        _clock.Advance(Ttl);
        _vault.Fault = VaultFault.Forbidden;
        await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());

        _vault.Fault = VaultFault.None;
        _vault.Secrets[Name] = "restored-value";
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("restored-value", await store.GetAsync(Name));
    }

    [Theory]
    [InlineData(VaultFault.Forbidden)]
    [InlineData(VaultFault.ServerError)]
    public async Task GetAsync_VaultFailsWithColdCache_ThrowsSecretsUnavailable(VaultFault fault)
    {
        var store = CreateStore();
        _vault.Fault = fault;

        var exception = await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());

        Assert.Equal(Name, exception.SecretName);
        Assert.Contains(_logs.Entries, entry => entry.Level == LogLevel.Error && entry.Message.Contains(Name, StringComparison.Ordinal));
        AssertNothingLeaked(exception);
    }

    [Fact]
    public async Task GetAsync_ColdFailure_BacksOffLikeAFailedRefresh()
    {
        var store = CreateStore();
        _vault.Fault = VaultFault.ServerError;
        await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());
        _vault.Fault = VaultFault.None;

        _clock.Advance(TimeSpan.FromSeconds(29));
        var meanwhile = await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());
        Assert.Equal(ReadsPerFailedAttempt, _vault.ReadCount(Name));
        Assert.Equal(Name, meanwhile.SecretName);
        AssertNothingLeaked(meanwhile);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Value, await store.GetAsync(Name));
        Assert.Equal(ReadsPerFailedAttempt + 1, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_ColdFailureBackoff_IsCappedByTtl()
    {
        var store = CreateStore(ttl: TimeSpan.FromSeconds(10));
        _vault.Fault = VaultFault.Forbidden;
        await Assert.ThrowsAsync<SecretsUnavailableException>(() => store.GetAsync(Name).AsTask());
        _vault.Fault = VaultFault.None;

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(Value, await store.GetAsync(Name));
    }

    [Fact]
    public async Task GetAsync_VaultHangsWithColdCache_ThrowsSecretsUnavailableInBoundedTime()
    {
        var store = CreateStore();
        _vault.Fault = VaultFault.Hang;

        // The test client allows 3 tries of 200 ms each: the read ends (instead of hanging) after exactly those tries.
        var exception = await Assert.ThrowsAsync<SecretsUnavailableException>(() => Eventually.CompletesAsync(store.GetAsync(Name).AsTask()));

        Assert.Equal(3, _vault.ReadCount(Name));
        AssertNothingLeaked(exception);
    }

    [Fact]
    public async Task GetAsync_SecretMissing_ReturnsNullAndCachesTheAnswer()
    {
        var store = CreateStore();

        Assert.Null(await store.GetAsync(SecretNames.PolytomicApiKey));
        Assert.Null(await store.GetAsync(SecretNames.PolytomicApiKey));

        Assert.Equal(1, _vault.ReadCount(SecretNames.PolytomicApiKey));
        AssertNothingLeaked();
    }

    [Fact]
    public async Task GetAsync_MissingSecretAddedAfterTtl_ReturnsNewValue()
    {
        var store = CreateStore();
        Assert.Null(await store.GetAsync(SecretNames.PolytomicApiKey));
        _vault.Secrets[SecretNames.PolytomicApiKey] = "polytomic-value";

        _clock.Advance(Ttl);

        Assert.Equal("polytomic-value", await store.GetAsync(SecretNames.PolytomicApiKey));
    }

    [Fact]
    public async Task Invalidate_WarmCache_NextGetsShareExactlyOneMoreRead()
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        _vault.Secrets[Name] = "rotated-value";

        store.Invalidate(Name);
        var gets = Enumerable.Range(0, 10).Select(_ => store.GetAsync(Name).AsTask()).ToArray();

        Assert.All(await Task.WhenAll(gets), value => Assert.Equal("rotated-value", value));
        Assert.Equal("rotated-value", await store.GetAsync(Name));
        Assert.Equal(2, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task Invalidate_DuringRead_NextGetReadsAgain()
    {
        var store = CreateStore(networkTimeout: HeldReadTimeout);
        _vault.HoldReads();
        var first = store.GetAsync(Name).AsTask();
        await _vault.WaitForHeldReadsAsync(1);

        store.Invalidate(Name);
        _vault.ReleaseReads();
        await first;
        await store.GetAsync(Name);

        Assert.Equal(2, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task Invalidate_RepeatedVendor401s_ReReadAtMostOncePerSecretPer30Seconds()
    {
        var store = CreateStore();
        await store.GetAsync(Name);
        await store.GetAsync(SecretNames.FivetranApiKey);

        Assert.True(store.Invalidate(Name));
        await store.GetAsync(Name);
        Assert.Equal(2, _vault.ReadCount(Name));

        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            Assert.False(store.Invalidate(Name));
            await store.GetAsync(Name);
        }

        Assert.Equal(2, _vault.ReadCount(Name));
        Assert.True(store.Invalidate(SecretNames.FivetranApiKey));   // the limit is per secret

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(store.Invalidate(Name));
        await store.GetAsync(Name);
        await store.GetAsync(SecretNames.FivetranApiKey);

        Assert.Equal(3, _vault.ReadCount(Name));
        Assert.Equal(2, _vault.ReadCount(SecretNames.FivetranApiKey));
    }

    [Fact]
    public void Invalidate_NeverRead_DoesNothing()
    {
        var store = CreateStore();

        store.Invalidate(Name);

        Assert.Equal(0, _vault.ReadCount(Name));
    }

    [Fact]
    public async Task GetAsync_ConfigurationSource_ReadsSecretsSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Secrets:{SecretNames.AlloyApiKey}"] = "from-configuration",
            [$"Secrets:{SecretNames.FivetranApiKey}"] = "",
        }).Build();
        var store = new SecretStore(null, configuration, Options.Create(new KeyVaultOptions()), _clock, _logs.For<SecretStore>());

        Assert.Equal("from-configuration", await store.GetAsync(SecretNames.AlloyApiKey));
        Assert.Null(await store.GetAsync(SecretNames.FivetranApiKey));
        Assert.Null(await store.GetAsync(SecretNames.PolytomicApiKey));
        store.Invalidate(SecretNames.AlloyApiKey);
        Assert.Equal("from-configuration", await store.GetAsync(SecretNames.AlloyApiKey));
    }

    [Fact]
    public async Task GetAsync_EveryOutcome_NeverLogsOrThrowsSecretValues()
    {
        _vault.Secrets[SecretNames.FivetranApiSecret] = "fivetran-secret-value-2b8d";
        var store = CreateStore();
        List<Exception> thrown = [];

        await store.GetAsync(Name);                              // read
        await store.GetAsync(SecretNames.PolytomicApiKey);       // 404
        _clock.Advance(Ttl);
        _vault.Fault = VaultFault.ServerError;
        await store.GetAsync(Name);                              // stale served
        store.Invalidate(Name);
        _vault.Fault = VaultFault.Forbidden;
        foreach (var name in new[] { Name, Name, SecretNames.FivetranApiSecret })
        {
            try
            {
                await store.GetAsync(name);                      // refused, then backing off; then a cold failure
            }
            catch (SecretsUnavailableException exception)
            {
                thrown.Add(exception);
            }
        }

        Assert.Equal(3, thrown.Count);
        Assert.NotEmpty(_logs.Entries);
        AssertNothingLeaked([.. thrown]);
        Assert.All(_logs.Entries, entry => Assert.DoesNotContain("fivetran-secret-value-2b8d", entry.Everything, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetAsync_BlankName_Throws()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(" ").AsTask());
    }

    private static readonly TimeSpan HeldReadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A 500 from the vault is retried by the client: 1 try and 2 retries per read attempt.</summary>
    private const int ReadsPerFailedAttempt = 3;

    private SecretStore CreateStore(TimeSpan? ttl = null, TimeSpan? networkTimeout = null, TimeSpan? maxStale = null) => new(
        _vault.CreateClient(networkTimeout),
        new ConfigurationBuilder().Build(),
        Options.Create(new KeyVaultOptions { Uri = _vault.VaultUri, CacheTtl = ttl ?? Ttl, MaxStale = maxStale ?? TimeSpan.FromHours(1) }),
        _clock,
        _logs.For<SecretStore>());

    /// <summary>No secret value and no vault response body in any log line or exception (with its whole chain).</summary>
    private void AssertNothingLeaked(params Exception[] exceptions)
    {
        var texts = _logs.Entries.Select(entry => entry.Everything).Concat(exceptions.Select(exception => exception.ToString()));
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain(Value, text, StringComparison.Ordinal);
            Assert.DoesNotContain("rotated-value", text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeKeyVault.ErrorBodyMarker, text, StringComparison.Ordinal);
        });
    }
}
