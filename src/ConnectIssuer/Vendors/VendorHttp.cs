using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization.Metadata;
using ConnectIssuer.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace ConnectIssuer.Vendors;

/// <summary>
/// The vendor HTTP stack, all in this file: the registration of a typed vendor client (<see cref="AddVendorClient"/>),
/// the handlers it chains, and the helpers a client writes requests and reads answers with (<see cref="VendorMessages"/>).
/// </summary>
public static class VendorServiceCollectionExtensions
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Registers a typed vendor client on the HttpClient factory. Its handlers, outermost first:
    /// <see cref="VendorCallHandler"/> (logs, failures as <see cref="VendorApiException"/>); the resilience handler
    /// (deadline <c>Vendors:Timeout</c> over everything below, then one retry after 100 ms of a request marked
    /// <see cref="VendorMessages.Idempotent"/> on 502/503/504, a failed connection or a broken-off body);
    /// <typeparamref name="TCredentials"/> (secrets, one re-read after a 401); <see cref="VendorBodyBufferHandler"/>
    /// (the body read into at most 1 MiB). The primary handler never follows redirects (a redirect must not carry our
    /// credentials anywhere) and recycles pooled connections. The factory's own logging handlers are removed:
    /// <see cref="VendorCallHandler"/> already logs each call once, and theirs would add two handlers, a log scope and
    /// the request URI (with customer-derived names) to every call. Clients send with
    /// <see cref="HttpCompletionOption.ResponseHeadersRead"/>: the answer is already buffered by then, and the client's own
    /// buffering would copy it a second time.
    /// </summary>
    public static IHttpClientBuilder AddVendorClient<TClient, TCredentials>(this IServiceCollection services, string vendor)
        where TClient : class
        where TCredentials : VendorCredentialsHandler
    {
        services.TryAddTransient<TCredentials>();
        var builder = services
            .AddHttpClient<TClient>(http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.MaxResponseContentBufferSize = VendorBodyBufferHandler.MaxBodyBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            })
            .RemoveAllLoggers()
            .AddHttpMessageHandler(sp => ActivatorUtilities.CreateInstance<VendorCallHandler>(sp, vendor));
        builder.AddResilienceHandler("vendor", (pipeline, context) =>
        {
            // VendorCallHandler logs every outcome with vendor and status; Polly's own lines would repeat them.
            pipeline.ConfigureTelemetry(NullLoggerFactory.Instance);
            pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<VendorsOptions>>().Value.Timeout);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                Delay = RetryDelay,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context)),
            });
        });
        return builder
            .AddHttpMessageHandler<TCredentials>()
            .AddHttpMessageHandler(() => new VendorBodyBufferHandler(vendor));
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, ResilienceContext context) =>
        context.GetRequestMessage()?.IsIdempotent() == true && outcome switch
        {
            { Exception: HttpRequestException } => true,
            { Exception: IOException } => !context.CancellationToken.IsCancellationRequested,
            { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
            _ => false,
        };
}

/// <summary>
/// The outermost handler of a vendor client: one log line per call (Debug for a success or an expected status, Warning
/// with vendor and status only for any other answer, never the body), and failures that did not produce an answer
/// turned into <see cref="VendorApiException"/>s. A <c>Retry-After</c> date becomes a delay.
/// </summary>
internal sealed partial class VendorCallHandler(string vendor, IOptions<VendorsOptions> options, TimeProvider timeProvider, ILogger<VendorCallHandler> logger)
    : DelegatingHandler
{
    internal static readonly HttpRequestOptionsKey<CancellationToken> CallerCancellationKey = new("ConnectIssuer.Vendors.CallerCancellation");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Inner handlers see the deadline's token; this one lets them tell a caller who left from a deadline that passed.
        request.Options.Set(CallerCancellationKey, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException exception)
        {
            LogVendorTimedOut(logger, vendor, options.Value.Timeout.TotalMilliseconds);
            throw new VendorApiException(vendor, VendorFailure.Timeout, null, exception);
        }
        catch (HttpRequestException exception)
        {
            LogVendorUnreachable(logger, vendor, exception.HttpRequestError.ToString());
            throw new VendorApiException(vendor, VendorFailure.Unavailable, null, exception);
        }
        catch (IOException exception)
        {
            LogVendorAnswerBrokeOff(logger, vendor, exception is HttpIOException io ? io.HttpRequestError.ToString() : exception.GetType().Name);
            throw new VendorApiException(vendor, VendorFailure.Unreadable, null, exception);
        }

        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = (int)response.StatusCode;
        if (status >= 400 && !(request.Options.TryGetValue(VendorMessages.ExpectedStatusKey, out var expected) && expected == response.StatusCode))
        {
            LogVendorFailed(logger, vendor, status, elapsedMs);
        }
        else
        {
            LogVendorAnswered(logger, vendor, status, elapsedMs);
        }

        if (response.Headers.RetryAfter is { Delta: null, Date: { } date })
        {
            var wait = date - timeProvider.GetUtcNow();
            response.Headers.RetryAfter = new(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Vendor} answered {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogVendorAnswered(ILogger logger, string vendor, int statusCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} answered {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogVendorFailed(ILogger logger, string vendor, int statusCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor}'s answer broke off before the body was complete: {Error}")]
    private static partial void LogVendorAnswerBrokeOff(ILogger logger, string vendor, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} could not be reached: {Error}")]
    private static partial void LogVendorUnreachable(ILogger logger, string vendor, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} did not answer within {TimeoutMs} ms")]
    private static partial void LogVendorTimedOut(ILogger logger, string vendor, double timeoutMs);
}

/// <summary>
/// Adds a vendor's credentials from the <see cref="SecretStore"/>, and after a 401 invalidates and re-reads its secrets
/// once and resends (the store re-reads a secret at most once per <see cref="SecretStore.MinInvalidationInterval"/>).
/// Runs inside the deadline: a secret read that outlasts it is <see cref="SecretsUnavailableException"/> (the vault is
/// slow, the vendor was never asked). A missing secret is <see cref="VendorFailure.NotConfigured"/>.
/// </summary>
public abstract partial class VendorCredentialsHandler(SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
    : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<bool> ReReadKey = new("ConnectIssuer.Vendors.SecretsReRead");

    /// <summary>Gets the vendor's name, for messages and logs.</summary>
    protected abstract string Vendor { get; }

    /// <summary>Gets the secrets <see cref="AddCredentialsAsync"/> reads: the ones re-read after a 401.</summary>
    protected abstract IReadOnlyList<string> SecretsToReRead { get; }

    /// <summary>Sets the credential headers (replacing any from an earlier attempt), reading secrets with <see cref="ReadSecretAsync"/>.</summary>
    protected abstract ValueTask AddCredentialsAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await AddCredentialsAsync(request, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Options.TryGetValue(ReReadKey, out _))
        {
            return response;
        }

        // A rotated key: read it again from the vault once (per request, retries included), then try once more.
        request.Options.Set(ReReadKey, true);
        LogCredentialsRejected(logger, Vendor);
        response.Dispose();
        foreach (var name in SecretsToReRead)
        {
            secrets.Invalidate(name);
        }

        await AddCredentialsAsync(request, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>Reads one secret within the call's deadline.</summary>
    protected async ValueTask<string> ReadSecretAsync(HttpRequestMessage request, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await secrets.GetAsync(name, cancellationToken) ?? throw VendorApiException.NotConfigured(Vendor, $"the secret {name}");
        }
        catch (OperationCanceledException exception) when (
            !(request.Options.TryGetValue(VendorCallHandler.CallerCancellationKey, out var caller) && caller.IsCancellationRequested))
        {
            // Not the caller: the deadline passed while the vault was read. That is the vault's slowness
            // (503 secrets_unavailable), not a vendor timeout.
            LogSecretReadTimedOut(logger, Vendor, name, options.Value.Timeout.TotalMilliseconds);
            throw new SecretsUnavailableException(name, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} rejected the credentials; reading the secrets again once")]
    private static partial void LogCredentialsRejected(ILogger logger, string vendor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {SecretName} for {Vendor} could not be read within the vendor deadline of {TimeoutMs} ms")]
    private static partial void LogSecretReadTimedOut(ILogger logger, string vendor, string secretName, double timeoutMs);
}

/// <summary>
/// Reads the answer's body into memory below the retry, so that an answer breaking off mid-body is a failed attempt
/// the retry sees (and the deadline covers the body). Bodies over <see cref="MaxBodyBytes"/> are
/// <see cref="VendorFailure.Unreadable"/>; a declared <c>Content-Length</c> over it is refused before reading.
/// </summary>
internal sealed class VendorBodyBufferHandler(string vendor) : DelegatingHandler
{
    /// <summary>Vendor answers larger than this are treated as unreadable (none of the documented ones comes close).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            var body = await ReadBoundedAsync(response, cancellationToken);
            var content = new ByteArrayContent(body.Array!, body.Offset, body.Count);
            foreach (var header in response.Content.Headers)
            {
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            response.Content.Dispose();
            response.Content = content;
            return response;
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            // A read that failed because the deadline or the caller cancelled is a cancellation, not a broken answer.
            response.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<ArraySegment<byte>> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxBodyBytes)
        {
            throw new VendorApiException(vendor, VendorFailure.Unreadable, response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[(int)Math.Min(response.Content.Headers.ContentLength ?? 4096, MaxBodyBytes) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > MaxBodyBytes)
                {
                    throw new VendorApiException(vendor, VendorFailure.Unreadable, response.StatusCode);
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return new ArraySegment<byte>(buffer, 0, length);
            }

            length += read;
        }
    }
}

/// <summary>The credentials of a vendor that takes one API key as <c>Authorization: Bearer &lt;key&gt;</c> (Alloy, Polytomic).</summary>
public abstract class BearerKeyCredentials(
    string vendor, string secretName, SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
    : VendorCredentialsHandler(secrets, options, logger)
{
    protected sealed override string Vendor => vendor;

    protected sealed override IReadOnlyList<string> SecretsToReRead { get; } = [secretName];

    protected sealed override async ValueTask AddCredentialsAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await ReadSecretAsync(request, secretName, cancellationToken));
}

/// <summary>
/// How a vendor client writes a request and reads the answer. A request is marked <see cref="Idempotent"/> when a
/// failed attempt may be repeated (reads; never a create), and <see cref="Expecting"/> a non-success status that is an
/// ordinary answer (a 404 for a lookup): logged at Debug, not Warning. The answer arrives fully buffered (1 MiB at most).
/// </summary>
public static class VendorMessages
{
    internal static readonly HttpRequestOptionsKey<bool> IdempotentKey = new("ConnectIssuer.Vendors.Idempotent");
    internal static readonly HttpRequestOptionsKey<HttpStatusCode> ExpectedStatusKey = new("ConnectIssuer.Vendors.ExpectedStatus");

    /// <summary>Marks the request as safe to send again after a 502/503/504 or a broken connection.</summary>
    public static HttpRequestMessage Idempotent(this HttpRequestMessage request, bool idempotent = true)
    {
        request.Options.Set(IdempotentKey, idempotent);
        return request;
    }

    /// <summary>Marks <paramref name="status"/> as an ordinary answer to this request (logged at Debug like a success).</summary>
    public static HttpRequestMessage Expecting(this HttpRequestMessage request, HttpStatusCode status)
    {
        request.Options.Set(ExpectedStatusKey, status);
        return request;
    }

    /// <summary>Sets a JSON body (already serialised, so a retry resends the same bytes).</summary>
    public static HttpRequestMessage WithJson(this HttpRequestMessage request, byte[] json)
    {
        request.Content = new ByteArrayContent(json);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    internal static bool IsIdempotent(this HttpRequestMessage request) =>
        request.Options.TryGetValue(IdempotentKey, out var idempotent) && idempotent;

    /// <summary>Throws the <see cref="VendorApiException"/> that the answer's status means, unless it is a success.</summary>
    public static HttpResponseMessage EnsureVendorSuccess(this HttpResponseMessage response, string vendor)
    {
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var failure = (int)response.StatusCode switch
        {
            429 => VendorFailure.Throttled,
            401 or 403 => VendorFailure.Unauthorized,
            >= 500 => VendorFailure.Unavailable,
            _ => VendorFailure.Rejected,
        };

        // VendorCallHandler has turned a Retry-After date into a delay.
        throw new VendorApiException(vendor, failure, response.StatusCode) { RetryAfter = response.Headers.RetryAfter?.Delta };
    }

    /// <summary>Parses the (buffered) body as <typeparamref name="T"/>.</summary>
    /// <exception cref="VendorApiException"><see cref="VendorFailure.Unreadable"/> when it is not that shape.</exception>
    public static T ReadVendorJson<T>(this HttpResponseMessage response, string vendor, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(Body(response), typeInfo)
                ?? throw new VendorApiException(vendor, VendorFailure.Unreadable, response.StatusCode);
        }
        catch (JsonException exception)
        {
            throw new VendorApiException(vendor, VendorFailure.Unreadable, response.StatusCode, exception);
        }
    }

    /// <summary>Parses the (buffered) body as <typeparamref name="T"/>, or returns null when it is not that shape (for error bodies).</summary>
    public static T? TryReadVendorJson<T>(this HttpResponseMessage response, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            var body = Body(response);
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The content caches one stream over its buffer: rewind it, so an error body can be read twice.
    private static Stream Body(HttpResponseMessage response)
    {
        var body = response.Content.ReadAsStream();
        body.Position = 0;
        return body;
    }
}
