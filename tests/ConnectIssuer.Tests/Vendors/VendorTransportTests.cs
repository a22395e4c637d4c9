using System.Net.Http.Headers;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Vendors;

/// <summary>The shared vendor call discipline, against a real loopback server that injects faults.</summary>
public sealed class VendorTransportTests : IAsyncLifetime
{
    private const string ApiKey = "transport-test-api-key-123";
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(800);

    private readonly KeyEchoSimulation _simulation = new();
    private readonly Dictionary<string, string?> _secrets = new() { [$"Secrets:{SecretNames.AlloyApiKey}"] = ApiKey };
    private VendorServer _vendor = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _vendor = await VendorServer.StartAsync(_simulation);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_vendor.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _vendor.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_Success_ReturnsBodyAndSendsSecret()
    {
        var response = await SendAsync(idempotent: true);

        Assert.True(response.IsSuccess);
        Assert.Equal("Bearer " + ApiKey, Assert.Single(_vendor.Requests).Headers["Authorization"]);
    }

    [Theory]
    [InlineData(VendorFault.Status500, VendorFailure.Unavailable)]
    [InlineData(VendorFault.Status502, VendorFailure.Unavailable)]
    [InlineData(VendorFault.Throttled, VendorFailure.Throttled)]
    [InlineData(VendorFault.ThrottledWithoutRetryAfter, VendorFailure.Throttled)]
    [InlineData(VendorFault.Unauthorized, VendorFailure.Unauthorized)]
    public async Task SendAsync_ErrorStatus_EnsureSuccessThrowsKind(VendorFault fault, VendorFailure expected)
    {
        _vendor.Fault = fault;

        var response = await SendAsync(idempotent: false);
        var exception = Assert.Throws<VendorApiException>(response.EnsureSuccess);

        Assert.Equal(expected, exception.Failure);
        Assert.DoesNotContain("vendor-raw-body-marker", exception.ToString(), StringComparison.Ordinal);
        Assert.Equal(fault == VendorFault.Throttled ? TimeSpan.FromSeconds(17) : null, exception.RetryAfter);
    }

    [Theory]
    [InlineData(VendorFault.Hang)]
    [InlineData(VendorFault.SlowBody)]
    public async Task SendAsync_NoCompleteAnswer_TimesOutAtTheDeadline(VendorFault fault)
    {
        _vendor.Fault = fault;
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);

        var call = SendAsync(idempotent: true, clock: clock);
        await Eventually.TrueAsync(() => _vendor.Requests.Count == 1, "the call reaches the vendor");
        clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await Eventually.StillPendingAsync(call, "The call must not give up before the deadline.");
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => Eventually.CompletesAsync(call));
        Assert.Equal(VendorFailure.Timeout, exception.Failure);
    }

    [Fact]
    public async Task SendAsync_HugeBody_IsUnreadableWithoutReadingItAll()
    {
        _vendor.Fault = VendorFault.HugeBody;

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => SendAsync(idempotent: true));

        Assert.Equal(VendorFailure.Unreadable, exception.Failure);
    }

    [Fact]
    public async Task SendAsync_UnreadableBody_ReadJsonThrowsUnreadable()
    {
        _vendor.Fault = VendorFault.UnreadableBody;

        var response = await SendAsync(idempotent: true);

        var exception = Assert.Throws<VendorApiException>(() => response.ReadJson(HttpJsonContext.Default.IssueResponse));
        Assert.Equal(VendorFailure.Unreadable, exception.Failure);
        Assert.DoesNotContain("vendor-raw-body-marker", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ConnectionReset_NonIdempotentIsNotRetried()
    {
        _vendor.Fault = VendorFault.ConnectionReset;

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => SendAsync(idempotent: false));

        Assert.Equal(VendorFailure.Unavailable, exception.Failure);
        Assert.Single(_vendor.Requests);
    }

    [Theory]
    [InlineData(VendorFault.ResetMidBody)]
    [InlineData(VendorFault.ResetMidChunkedBody)]
    public async Task SendAsync_AnswerBreaksOffMidBody_IsAVendorFailureNotAnIOException(VendorFault fault)
    {
        _vendor.Fault = fault;
        var logs = new CapturedLogs();

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => SendAsync(idempotent: false, logs: logs));

        Assert.Equal(VendorFailure.Unreadable, exception.Failure);
        Assert.IsAssignableFrom<IOException>(exception.InnerException);
        Assert.Single(_vendor.Requests);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("Test's answer broke off", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("vendor-raw-body-marker", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(VendorFault.Status500, 500)]
    [InlineData(VendorFault.Throttled, 429)]
    [InlineData(VendorFault.Unauthorized, 401)]
    public async Task SendAsync_ErrorStatus_IsLoggedAtWarningWithVendorAndStatusButNoBody(VendorFault fault, int status)
    {
        _vendor.Fault = fault;
        var logs = new CapturedLogs();

        await SendAsync(idempotent: false, logs: logs);

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains($"Test answered {status} in", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("vendor-raw-body-marker", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_ExpectedStatusOrSuccess_IsNotAWarning()
    {
        _simulation.AcceptedKey = "never";
        var logs = new CapturedLogs();

        await SendAsync(idempotent: true, logs: logs, expected: HttpStatusCode.Unauthorized);
        _simulation.AcceptedKey = ApiKey;
        await SendAsync(idempotent: true, logs: logs);

        Assert.Equal(2, logs.Lines.Count(l => l.StartsWith("Debug ", StringComparison.Ordinal) && l.Contains("Test answered", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("Test answered", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(VendorFault.ConnectionReset)]
    [InlineData(VendorFault.ResetMidBody)]
    [InlineData(VendorFault.ResetMidChunkedBody)]
    [InlineData(VendorFault.Status502)]
    public async Task SendAsync_TransientFailure_IdempotentIsRetriedOnce(VendorFault fault)
    {
        _vendor.Fault = fault;
        _vendor.FaultCount = 1;

        var response = await SendAsync(idempotent: true);

        Assert.True(response.IsSuccess);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_Status500_IsNotRetriedEvenWhenIdempotent()
    {
        _vendor.Fault = VendorFault.Status500;
        _vendor.FaultCount = 1;

        var response = await SendAsync(idempotent: true);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task SendAsync_401ThenRotatedKey_ReReadsSecretOnceAndRetries()
    {
        var secrets = new RotatingSecretStore(ApiKey);
        _simulation.AcceptedKey = "rotated-key-456";
        secrets.Next = "rotated-key-456";

        var response = await SendAsync(idempotent: false, secrets.Store);

        Assert.True(response.IsSuccess);
        Assert.Equal(["Bearer " + ApiKey, "Bearer rotated-key-456"], _vendor.Requests.Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public async Task SendAsync_401Twice_StopsAfterOneRetry()
    {
        _simulation.AcceptedKey = "never";

        var response = await SendAsync(idempotent: true);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_SecretMissing_Returns503NotConfiguredWithoutCalling()
    {
        _secrets[$"Secrets:{SecretNames.AlloyApiKey}"] = null;

        var exception = await Assert.ThrowsAsync<ApiProblemException>(() => SendAsync(idempotent: true));

        Assert.Equal(ProblemCodes.VendorNotConfigured, exception.Code);
        Assert.Empty(_vendor.Requests);
    }

    private Task<VendorResponse> SendAsync(
        bool idempotent, SecretStore? store = null, CapturedLogs? logs = null, HttpStatusCode? expected = null, TimeProvider? clock = null)
    {
        store ??= new SecretStore(
            null,
            new ConfigurationBuilder().AddInMemoryCollection(_secrets).Build(),
            Options.Create(new KeyVaultOptions()),
            TimeProvider.System,
            NullLogger<SecretStore>.Instance);
        var logger = logs?.For<VendorTransport>() ?? NullLogger<VendorTransport>.Instance;
        var transport = new VendorTransport(store, Options.Create(new VendorsOptions { Timeout = Deadline }), clock ?? TimeProvider.System, logger);
        return transport.SendAsync(_http, new VendorCall("Test", [SecretNames.AlloyApiKey], secrets =>
        {
            var request = new HttpRequestMessage(idempotent ? HttpMethod.Get : HttpMethod.Post, "thing");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets[0]);
            return request;
        }, idempotent) { ExpectedStatus = expected });
    }

    /// <summary>Answers 200 when the bearer key is the accepted one, 401 otherwise.</summary>
    private sealed class KeyEchoSimulation : IVendorSimulation
    {
        public string AcceptedKey { get; set; } = ApiKey;

        public void Map(IEndpointRouteBuilder routes) =>
            routes.Map("/thing", (HttpRequest request) => request.Headers.Authorization == "Bearer " + AcceptedKey
                ? Results.Json(new { ok = true })
                : Results.Json(new { message = "bad key" }, statusCode: 401));
    }

    /// <summary>A configuration-backed store whose value changes after the first read (a rotated key in the vault).</summary>
    private sealed class RotatingSecretStore
    {
        private readonly Dictionary<string, string?> _values;

        public RotatingSecretStore(string first)
        {
            _values = new() { [$"Secrets:{SecretNames.AlloyApiKey}"] = first };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(_values).Build();
            Store = new SecretStore(null, new RotatingConfiguration(configuration, this), Options.Create(new KeyVaultOptions()), new FakeTimeProvider(DateTimeOffset.UnixEpoch), NullLogger<SecretStore>.Instance);
        }

        public string? Next { get; set; }

        public SecretStore Store { get; }

        private int _reads;

        private sealed class RotatingConfiguration(IConfiguration inner, RotatingSecretStore owner) : IConfiguration
        {
            public string? this[string key]
            {
                get => Interlocked.Increment(ref owner._reads) > 1 && owner.Next is not null ? owner.Next : inner[key];
                set => inner[key] = value;
            }

            public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren();

            public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => inner.GetReloadToken();

            public IConfigurationSection GetSection(string key) => inner.GetSection(key);
        }
    }
}
