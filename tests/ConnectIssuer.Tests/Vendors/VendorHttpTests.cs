using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Vendors;

/// <summary>
/// The vendor HTTP stack (call handler, resilience handler, credentials, bounded body) as the real clients get it,
/// against a real loopback server that injects faults. Tests that wait on the deadline use a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class VendorHttpTests : IAsyncLifetime
{
    private const string ApiKey = "transport-test-api-key-123";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly VendorTestStack.ScriptedSimulation _simulation = new(ApiKey);
    private readonly Dictionary<string, string?> _secrets = new() { [$"Secrets:{SecretNames.AlloyApiKey}"] = ApiKey };
    private VendorServer _vendor = null!;

    public async Task InitializeAsync() => _vendor = await VendorServer.StartAsync(_simulation);

    public async Task DisposeAsync() => await _vendor.DisposeAsync();

    [Fact]
    public async Task SendAsync_Success_ReturnsBufferedBodyAndSendsSecret()
    {
        using var response = await SendAsync(idempotent: true);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("Bearer " + ApiKey, Assert.Single(_vendor.Requests).Headers["Authorization"]);
    }

    [Theory]
    [InlineData(VendorFault.Status500, VendorFailure.Unavailable)]
    [InlineData(VendorFault.Status502, VendorFailure.Unavailable)]
    [InlineData(VendorFault.Throttled, VendorFailure.Throttled)]
    [InlineData(VendorFault.ThrottledWithoutRetryAfter, VendorFailure.Throttled)]
    [InlineData(VendorFault.Unauthorized, VendorFailure.Unauthorized)]
    public async Task SendAsync_ErrorStatus_EnsureVendorSuccessThrowsKind(VendorFault fault, VendorFailure expected)
    {
        _vendor.Fault = fault;

        using var response = await SendAsync(idempotent: false);
        var exception = Assert.Throws<VendorApiException>(() => response.EnsureVendorSuccess("Test"));

        Assert.Equal(expected, exception.Failure);
        Assert.DoesNotContain("vendor-raw-body-marker", exception.ToString(), StringComparison.Ordinal);
        Assert.Equal(fault == VendorFault.Throttled ? TimeSpan.FromSeconds(17) : null, exception.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDate_BecomesTheDelayFromNow()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _simulation.Answers.Enqueue(context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = clock.GetUtcNow().AddSeconds(42).ToString("R");
            return Task.CompletedTask;
        });

        using var response = await SendAsync(idempotent: false, clock: clock);

        Assert.Equal(TimeSpan.FromSeconds(42), Assert.Throws<VendorApiException>(() => response.EnsureVendorSuccess("Test")).RetryAfter);
    }

    [Theory]
    [InlineData(VendorFault.Hang)]
    [InlineData(VendorFault.SlowBody)]
    public async Task SendAsync_NoCompleteAnswer_TimesOutAtTheDeadline(VendorFault fault)
    {
        _vendor.Fault = fault;
        var clock = new FakeTimeProvider();

        var send = SendAsync(idempotent: true, clock: clock);
        await WaitForRequestsAsync(1);
        clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.False(send.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => send);
        Assert.Equal(VendorFailure.Timeout, exception.Failure);
    }

    [Fact]
    public async Task SendAsync_RetryAndItsDelay_AreInsideTheOneDeadline()
    {
        _simulation.Answers.Enqueue(Status(503));
        _simulation.Answers.Enqueue(Hang);
        var clock = new FakeTimeProvider();

        var send = SendAsync(idempotent: true, clock: clock);
        await WaitForRequestsAsync(1);

        // The retry waits 100 ms on the clock; its timer starts once the 503 has arrived, so step until the retry is sent.
        var advanced = TimeSpan.Zero;
        for (var i = 0; i < 20 && _vendor.Requests.Count < 2; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            advanced += TimeSpan.FromMilliseconds(100);
            await Task.Delay(50);
        }

        await WaitForRequestsAsync(2);
        clock.Advance(Deadline - advanced - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.False(send.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => send);
        Assert.Equal(VendorFailure.Timeout, exception.Failure);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_HugeChunkedBody_IsUnreadableWithoutReadingItAll()
    {
        _vendor.Fault = VendorFault.HugeBody;

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => SendAsync(idempotent: true));

        Assert.Equal(VendorFailure.Unreadable, exception.Failure);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task SendAsync_DeclaredLengthOverOneMebibyte_IsUnreadable()
    {
        _simulation.Answers.Enqueue(Body(VendorBodyBufferHandler.MaxBodyBytes + 1, declareLength: true));

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => SendAsync(idempotent: true));

        Assert.Equal(VendorFailure.Unreadable, exception.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAsync_BodyOfExactlyOneMebibyte_IsRead(bool declareLength)
    {
        _simulation.Answers.Enqueue(Body(VendorBodyBufferHandler.MaxBodyBytes, declareLength));

        using var response = await SendAsync(idempotent: true);

        Assert.Equal(VendorBodyBufferHandler.MaxBodyBytes, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task SendAsync_UnreadableBody_ReadVendorJsonThrowsUnreadable()
    {
        _vendor.Fault = VendorFault.UnreadableBody;

        using var response = await SendAsync(idempotent: true);

        var exception = Assert.Throws<VendorApiException>(() => response.ReadVendorJson("Test", HttpJsonContext.Default.IssueResponse));
        Assert.Equal(VendorFailure.Unreadable, exception.Failure);
        Assert.DoesNotContain("vendor-raw-body-marker", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Body_CanBeReadAsAnErrorShapeAndThenAsTheAnswer()
    {
        using var response = await SendAsync(idempotent: true);

        Assert.Null(response.TryReadVendorJson(HttpJsonContext.Default.IssueResponse)?.Url);
        Assert.NotNull(response.ReadVendorJson("Test", HttpJsonContext.Default.IssueResponse));
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
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
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task SendAsync_TransientStatus_CreateIsNotRetried(int status)
    {
        _simulation.Answers.Enqueue(Status(status));

        using var response = await SendAsync(idempotent: false);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
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

        using var response = await SendAsync(idempotent: false, logs: logs);

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains($"Test answered {status} in", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("vendor-raw-body-marker", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_LogsOneLinePerCall_AndNoneOfTheFactoryHandlersWithTheRequestUri()
    {
        var logs = new CapturedLogs();

        (await SendAsync(idempotent: true, logs: logs)).Dispose();

        // Logging is on at Trace: the only line is the call handler's (vendor, status, time), never the factory's
        // "Sending HTTP request GET http://…/thing" lines or scopes.
        var line = Assert.Single(logs.Entries);
        Assert.Equal(typeof(VendorCallHandler).FullName, line.Category);
        Assert.DoesNotContain("/thing", logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ExpectedStatusOrSuccess_IsNotAWarning()
    {
        _simulation.AcceptedKey = "never";
        var logs = new CapturedLogs();

        (await SendAsync(idempotent: true, logs: logs, expected: HttpStatusCode.Unauthorized)).Dispose();
        _simulation.AcceptedKey = ApiKey;
        (await SendAsync(idempotent: true, logs: logs)).Dispose();

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

        using var response = await SendAsync(idempotent: true);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    public async Task SendAsync_TransientStatus_IdempotentReadIsRetriedOnce(int status)
    {
        _simulation.Answers.Enqueue(Status(status));

        using var response = await SendAsync(idempotent: true);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_TransientStatusTwice_IdempotentReadIsRetriedOnlyOnce()
    {
        _simulation.Answers.Enqueue(Status(503));
        _simulation.Answers.Enqueue(Status(503));

        using var response = await SendAsync(idempotent: true);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_Status500_IsNotRetriedEvenWhenIdempotent()
    {
        _vendor.Fault = VendorFault.Status500;
        _vendor.FaultCount = 1;

        using var response = await SendAsync(idempotent: true);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task SendAsync_401ThenRotatedKey_ReReadsSecretOnceAndRetries()
    {
        var secrets = new RotatingSecretStore(ApiKey);
        _simulation.AcceptedKey = "rotated-key-456";
        secrets.Next = "rotated-key-456";

        using var response = await SendAsync(idempotent: false, secrets.Store);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(["Bearer " + ApiKey, "Bearer rotated-key-456"], _vendor.Requests.Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public async Task SendAsync_401Twice_StopsAfterOneRetry()
    {
        _simulation.AcceptedKey = "never";

        using var response = await SendAsync(idempotent: true);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_401ThenTransientThen401_ReReadsOncePerRequest()
    {
        _simulation.AcceptedKey = "never";
        _simulation.Answers.Enqueue(Status(401));
        _simulation.Answers.Enqueue(Status(503));

        using var response = await SendAsync(idempotent: true);

        // 401 → re-read and resend → 503 → one retry → 401, which stands: no second re-read.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(3, _vendor.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_SecretMissing_IsNotConfiguredWithoutCalling()
    {
        _secrets[$"Secrets:{SecretNames.AlloyApiKey}"] = null;

        var exception = await Assert.ThrowsAsync<VendorApiException>(() => SendAsync(idempotent: true));

        Assert.Equal(VendorFailure.NotConfigured, exception.Failure);
        var problem = VendorProblems.From(exception);
        Assert.Equal((503, ProblemCodes.VendorNotConfigured), (problem.Status, problem.Code));
        Assert.Equal($"Test is not configured: the secret {SecretNames.AlloyApiKey} is missing.", problem.Message);
        Assert.Empty(_vendor.Requests);
    }

    private static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync("""{"message":"vendor-raw-body-marker"}""");
    };

    private static Task Hang(HttpContext context) =>
        Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);

    private static Func<HttpContext, Task> Body(int length, bool declareLength) => async context =>
    {
        context.Response.ContentType = "application/json";
        if (declareLength)
        {
            context.Response.ContentLength = length;
        }

        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        for (var written = 0; written < length && !context.RequestAborted.IsCancellationRequested; written += chunk.Length)
        {
            await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, length - written)), context.RequestAborted)
                .AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
        }
    };

    private async Task WaitForRequestsAsync(int count)
    {
        for (var i = 0; i < 1000 && _vendor.Requests.Count < count; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(count, _vendor.Requests.Count);
    }

    private async Task<HttpResponseMessage> SendAsync(
        bool idempotent, SecretStore? store = null, CapturedLogs? logs = null, HttpStatusCode? expected = null, FakeTimeProvider? clock = null)
    {
        store ??= new SecretStore(
            null,
            new ConfigurationBuilder().AddInMemoryCollection(_secrets).Build(),
            Options.Create(new KeyVaultOptions()),
            TimeProvider.System,
            NullLogger<SecretStore>.Instance);
        using var stack = new VendorTestStack(_vendor.BaseUrl, store, Deadline, clock ?? TimeProvider.System, logs);
        return await stack.Client.SendAsync(idempotent, expected);
    }

    /// <summary>A configuration-backed store whose value changes after the first read (a rotated key in the vault).</summary>
    private sealed class RotatingSecretStore
    {
        private readonly Dictionary<string, string?> _values;
        private int _reads;

        public RotatingSecretStore(string first)
        {
            _values = new() { [$"Secrets:{SecretNames.AlloyApiKey}"] = first };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(_values).Build();
            Store = new SecretStore(null, new RotatingConfiguration(configuration, this), Options.Create(new KeyVaultOptions()), new FakeTimeProvider(), NullLogger<SecretStore>.Instance);
        }

        public string? Next { get; set; }

        public SecretStore Store { get; }

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
