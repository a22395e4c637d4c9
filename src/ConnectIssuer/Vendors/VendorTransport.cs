using System.Diagnostics;
using System.Net;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Vendors;

/// <summary>What one vendor call needs: the secrets it authenticates with and how to build the request from them.</summary>
/// <param name="Vendor">The vendor's display name, for messages and logs.</param>
/// <param name="SecretNames">The secrets the request needs, in the order <paramref name="CreateRequest"/> receives them.</param>
/// <param name="CreateRequest">Builds a fresh request (it is rebuilt for a retry) from the secret values.</param>
/// <param name="Idempotent">Whether a failed attempt may be repeated (reads; never a create).</param>
public sealed record VendorCall(string Vendor, IReadOnlyList<string> SecretNames, Func<string[], HttpRequestMessage> CreateRequest, bool Idempotent)
{
    /// <summary>
    /// Gets a non-success status that is an ordinary answer to this call (e.g. 404 for a lookup of something that may
    /// not exist): logged at Debug like a success, not at Warning like every other 4xx/5xx.
    /// </summary>
    public HttpStatusCode? ExpectedStatus { get; init; }
}

/// <summary>
/// The one place where vendor HTTP calls are made safe: a deadline of <c>Vendors:Timeout</c> covering
/// every attempt and the body, a bounded body read, one re-read of the secrets and one retry after a
/// 401, one retry of idempotent calls after a 502/503/504 or a broken connection (before or in the middle of the
/// body), and no vendor body in logs: a final 4xx/5xx answer is logged at Warning with vendor and status only.
/// </summary>
public sealed partial class VendorTransport(
    SecretStore secrets, IOptions<VendorsOptions> options, TimeProvider timeProvider, ILogger<VendorTransport> logger)
{
    /// <summary>Vendor answers larger than this are treated as unreadable (none of the documented ones comes close).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    public async Task<VendorResponse> SendAsync(HttpClient http, VendorCall call, CancellationToken cancellationToken = default)
    {
        using var deadline = new CancellationTokenSource(options.Value.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        // The first secret read counts against the deadline too: a cold cache and a slow vault must not hold the caller
        // longer than a slow vendor could.
        var secretValues = await ReadSecretsAsync(call, linked.Token, deadline.Token);
        var started = Stopwatch.GetTimestamp();
        var reReadSecrets = false;
        var retried = false;
        try
        {
            while (true)
            {
                VendorResponse? response = null;
                Exception? connectionFailure = null;
                try
                {
                    response = await SendOnceAsync(http, call, secretValues, linked.Token);
                }
                catch (HttpRequestException exception)
                {
                    connectionFailure = exception;
                }
                catch (IOException exception)
                {
                    // The answer broke off in the middle of the body (connection reset, premature end). A read that
                    // failed because the deadline or the caller cancelled is a cancellation, not a broken answer.
                    linked.Token.ThrowIfCancellationRequested();
                    connectionFailure = exception;
                }

                if (response?.StatusCode is HttpStatusCode.Unauthorized && !reReadSecrets)
                {
                    // A rotated key: read it again from the vault once, then try once more.
                    reReadSecrets = true;
                    LogCredentialsRejected(logger, call.Vendor);
                    foreach (var name in call.SecretNames)
                    {
                        secrets.Invalidate(name);
                    }

                    secretValues = await ReadSecretsAsync(call, linked.Token, deadline.Token);
                    continue;
                }

                var transient = connectionFailure is not null || response?.StatusCode is HttpStatusCode.BadGateway
                    or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
                if (transient && call.Idempotent && !retried)
                {
                    retried = true;
                    await Task.Delay(RetryDelay, timeProvider, linked.Token);
                    continue;
                }

                switch (connectionFailure)
                {
                    case HttpRequestException unreachable:
                        LogVendorUnreachable(logger, call.Vendor, unreachable.HttpRequestError.ToString());
                        throw new VendorApiException(call.Vendor, VendorFailure.Unavailable, null, unreachable);
                    case { } brokenOff:
                        LogVendorAnswerBrokeOff(logger, call.Vendor, brokenOff is HttpIOException io ? io.HttpRequestError.ToString() : brokenOff.GetType().Name);
                        throw new VendorApiException(call.Vendor, VendorFailure.Unreadable, null, brokenOff);
                }

                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var status = (int)response!.StatusCode;
                if (status >= 400 && response.StatusCode != call.ExpectedStatus)
                {
                    LogVendorFailed(logger, call.Vendor, status, elapsedMs);
                }
                else
                {
                    LogVendorAnswered(logger, call.Vendor, status, elapsedMs);
                }

                return response;
            }
        }
        catch (OperationCanceledException exception) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogVendorTimedOut(logger, call.Vendor, options.Value.Timeout.TotalMilliseconds);
            throw new VendorApiException(call.Vendor, VendorFailure.Timeout, null, exception);
        }
    }

    private async Task<string[]> ReadSecretsAsync(VendorCall call, CancellationToken cancellationToken, CancellationToken deadline)
    {
        var values = new string[call.SecretNames.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var name = call.SecretNames[i];
            try
            {
                values[i] = await secrets.GetAsync(name, cancellationToken)
                    ?? throw ApiProblemException.VendorNotConfigured(call.Vendor, $"the secret {name}");
            }
            catch (OperationCanceledException exception) when (deadline.IsCancellationRequested)
            {
                // The vendor was never asked: this is the vault's slowness (503 secrets_unavailable), not a vendor timeout.
                LogSecretReadTimedOut(logger, call.Vendor, name, options.Value.Timeout.TotalMilliseconds);
                throw new SecretsUnavailableException(name, exception);
            }
        }

        return values;
    }

    private async Task<VendorResponse> SendOnceAsync(HttpClient http, VendorCall call, string[] secretValues, CancellationToken cancellationToken)
    {
        using var request = call.CreateRequest(secretValues);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await ReadBoundedAsync(call.Vendor, response, cancellationToken);
        return new VendorResponse(call.Vendor, response.StatusCode, body, RetryAfter(response));
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(string vendor, HttpResponseMessage response, CancellationToken cancellationToken)
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
                return buffer.AsMemory(0, length);
            }

            length += read;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - timeProvider.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Vendor} answered {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogVendorAnswered(ILogger logger, string vendor, int statusCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} answered {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogVendorFailed(ILogger logger, string vendor, int statusCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor}'s answer broke off before the body was complete: {Error}")]
    private static partial void LogVendorAnswerBrokeOff(ILogger logger, string vendor, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} rejected the credentials; reading the secrets again once")]
    private static partial void LogCredentialsRejected(ILogger logger, string vendor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} could not be reached: {Error}")]
    private static partial void LogVendorUnreachable(ILogger logger, string vendor, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {SecretName} for {Vendor} could not be read within the vendor deadline of {TimeoutMs} ms")]
    private static partial void LogSecretReadTimedOut(ILogger logger, string vendor, string secretName, double timeoutMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vendor} did not answer within {TimeoutMs} ms")]
    private static partial void LogVendorTimedOut(ILogger logger, string vendor, double timeoutMs);
}
