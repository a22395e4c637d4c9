using System.Net.Http.Headers;
using ConnectIssuer.Secrets;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Secrets;

/// <summary>
/// How vendor calls use Key Vault: the first secret read counts against <c>Vendors:Timeout</c>, and vendor 401s
/// re-read a secret at most once per 30 s. The real <see cref="VendorTransport"/> and <see cref="SecretStore"/>
/// against the fake vault and a loopback vendor; the clock (and the deadline's timer) is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class VendorSecretReadTests : IAsyncLifetime
{
    private const string ApiKey = "vendor-secret-read-key-4e1a";
    private static readonly TimeSpan VendorTimeout = TimeSpan.FromSeconds(10);

    private readonly FakeKeyVault _vault = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly KeySimulation _simulation = new();
    private VendorServer _vendor = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _vault.Secrets[SecretNames.AlloyApiKey] = ApiKey;
        _vendor = await VendorServer.StartAsync(_simulation);
        _http = new HttpClient { BaseAddress = new Uri(_vendor.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _vendor.DisposeAsync();
        _vault.Dispose();
    }

    [Fact]
    public async Task SendAsync_ColdSecretReadOutlastsVendorTimeout_ThrowsSecretsUnavailableWithoutCallingVendor()
    {
        var logs = new CapturedLogs();
        var transport = CreateTransport(logs.For<VendorTransport>());
        _vault.HoldReads();

        var send = transport.SendAsync(_http, Call());
        await _vault.WaitForHeldReadsAsync(1);
        _clock.Advance(VendorTimeout);
        _vault.ReleaseReads();

        var exception = await Assert.ThrowsAsync<SecretsUnavailableException>(() => send);
        Assert.Equal(SecretNames.AlloyApiKey, exception.SecretName);
        Assert.Empty(_vendor.Requests);
        var warning = Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Contains(SecretNames.AlloyApiKey, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, warning.Everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ColdSecretReadWithinVendorTimeout_CallsVendor()
    {
        var transport = CreateTransport();
        _vault.HoldReads();

        var send = transport.SendAsync(_http, Call());
        await _vault.WaitForHeldReadsAsync(1);
        _clock.Advance(VendorTimeout - TimeSpan.FromSeconds(1));
        _vault.ReleaseReads();

        Assert.True((await send).IsSuccess);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task SendAsync_Vendor401OnEveryCall_ReReadsSecretAtMostOncePer30Seconds()
    {
        var transport = CreateTransport();
        _simulation.AcceptedKey = "a-key-the-vault-does-not-have";

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await transport.SendAsync(_http, Call())).StatusCode);
            _clock.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(2, _vault.ReadCount(SecretNames.AlloyApiKey));   // the first read and one re-read

        _clock.Advance(TimeSpan.FromSeconds(5));
        _vault.Secrets[SecretNames.AlloyApiKey] = _simulation.AcceptedKey;
        Assert.True((await transport.SendAsync(_http, Call())).IsSuccess);

        Assert.Equal(3, _vault.ReadCount(SecretNames.AlloyApiKey));
    }

    private VendorTransport CreateTransport(ILogger<VendorTransport>? logger = null)
    {
        var store = new SecretStore(
            _vault.CreateClient(networkTimeout: TimeSpan.FromSeconds(30)),
            new ConfigurationBuilder().Build(),
            Options.Create(new KeyVaultOptions { Uri = _vault.VaultUri }),
            _clock,
            NullLogger<SecretStore>.Instance);
        return new VendorTransport(
            store, Options.Create(new VendorsOptions { Timeout = VendorTimeout }), _clock, logger ?? NullLogger<VendorTransport>.Instance);
    }

    private static VendorCall Call() => new("Test", [SecretNames.AlloyApiKey], secrets =>
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "thing");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets[0]);
        return request;
    }, Idempotent: false);

    /// <summary>Answers 200 when the bearer key is the accepted one, 401 otherwise.</summary>
    private sealed class KeySimulation : IVendorSimulation
    {
        public string AcceptedKey { get; set; } = ApiKey;

        public void Map(IEndpointRouteBuilder routes) =>
            routes.Map("/thing", (HttpRequest request) => request.Headers.Authorization == "Bearer " + AcceptedKey
                ? Results.Json(new { ok = true })
                : Results.Json(new { message = "bad key" }, statusCode: 401));
    }
}
