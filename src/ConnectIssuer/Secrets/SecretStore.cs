using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;

namespace ConnectIssuer.Secrets;

/// <summary>
/// Reads secrets by name from Key Vault (or, for local runs, from <c>Secrets:&lt;Name&gt;</c> configuration keys)
/// and caches them per instance for <see cref="KeyVaultOptions.CacheTtl"/>.
/// </summary>
/// <remarks>
/// Concurrent requests for a secret whose cache is cold or expired share one Key Vault read. When a read fails, the
/// vault is left alone for a short back-off (one read per secret per back-off, whether or not a value is cached);
/// meanwhile a cached answer (a value, or "does not exist") is served for at most <see cref="KeyVaultOptions.MaxStale"/>
/// past its TTL, and without one the answer is <see cref="SecretsUnavailableException"/>. A 401 or 403 from the vault
/// (role revoked, secret disabled) drops the cached answer at once: access was withdrawn, not interrupted.
/// Secret values are never logged or put into exception messages.
/// A null <c>secretClient</c> reads the <c>Secrets</c> configuration section instead of Key Vault.
/// </remarks>
public sealed partial class SecretStore(
    SecretClient? secretClient,
    IConfiguration configuration,
    IOptions<KeyVaultOptions> options,
    TimeProvider timeProvider,
    ILogger<SecretStore> logger)
{
    /// <summary>
    /// <see cref="Invalidate"/> forces a re-read of one secret at most this often, so a vendor answering 401 to every
    /// request (a revoked key, or an attacker-triggered path) cannot turn each request into a vault read.
    /// </summary>
    public static readonly TimeSpan MinInvalidationInterval = TimeSpan.FromSeconds(30);

    // After a failed read the vault is left alone for this long (capped by the TTL), so a failing vault sees one read
    // per secret per back-off rather than one per request.
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _ttl = options.Value.CacheTtl;
    private readonly TimeSpan _maxStale = options.Value.MaxStale;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    private TimeSpan Backoff => _ttl < MaxFailureBackoff ? _ttl : MaxFailureBackoff;

    /// <summary>Gets a secret by name.</summary>
    /// <param name="name">The secret name, one of <see cref="SecretNames"/>.</param>
    /// <param name="cancellationToken">Stops this caller's wait; a read shared with other callers carries on.</param>
    /// <returns>The value, or null when the secret does not exist (Key Vault 404, or a missing or empty configuration key).</returns>
    /// <exception cref="SecretsUnavailableException">The source failed and nothing usable is cached.</exception>
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        if (secretClient is null)
        {
            // Configuration is already in memory (and may reload), so it is read every time.
            var value = configuration[$"Secrets:{name}"];
            return ValueTask.FromResult(string.IsNullOrEmpty(value) ? null : value);
        }

        var slot = _slots.GetOrAdd(name, static _ => new Slot());
        Task<string?> read;
        lock (slot.Gate)
        {
            var now = timeProvider.GetUtcNow();
            if (now < slot.RefreshAfter)
            {
                // Fresh, or backing off after a failed read: no vault call either way.
                if (slot.HasAnswer && now < slot.ServeUntil)
                {
                    return ValueTask.FromResult(slot.Value);
                }

                if (slot.LastFailure is { } failure)
                {
                    return ValueTask.FromException<string?>(new SecretsUnavailableException(name, failure));
                }
            }

            // Task.Run: the read must not complete inline while the gate is held (it takes the gate to publish its
            // result), and it must not carry any one caller's cancellation token.
            read = slot.Pending ??= Task.Run(() => RefreshAsync(name, slot));
        }

        return new ValueTask<string?>(read.WaitAsync(cancellationToken));
    }

    /// <summary>Marks a cached secret as stale, so the next <see cref="GetAsync"/> reads it from the source again.</summary>
    /// <remarks>
    /// Vendor clients call this after a vendor answers 401, before retrying once. It takes effect at most once per
    /// secret per <see cref="MinInvalidationInterval"/>; calls in between leave the cache as it is.
    /// </remarks>
    /// <returns>Whether the next read goes to the vault.</returns>
    public bool Invalidate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (secretClient is null || !_slots.TryGetValue(name, out var slot))
        {
            // Configuration is read on every call, and a secret never read has nothing cached.
            return true;
        }

        lock (slot.Gate)
        {
            var now = timeProvider.GetUtcNow();
            if (slot.LastInvalidation is { } last && now - last < MinInvalidationInterval)
            {
                return false;
            }

            slot.LastInvalidation = now;
            slot.RefreshAfter = DateTimeOffset.MinValue;
            slot.Generation++;
            return true;
        }
    }

    private async Task<string?> RefreshAsync(string name, Slot slot)
    {
        int generation;
        lock (slot.Gate)
        {
            generation = slot.Generation;
        }

        try
        {
            var value = await ReadFromVaultAsync(secretClient!, name).ConfigureAwait(false);
            lock (slot.Gate)
            {
                var now = timeProvider.GetUtcNow();
                slot.Value = value;
                slot.HasAnswer = true;
                slot.ServeUntil = now + _ttl + _maxStale;
                // A read that started before an Invalidate may carry the old value: serve it, but re-read next time.
                slot.RefreshAfter = slot.Generation == generation ? now + _ttl : DateTimeOffset.MinValue;
                slot.LastFailure = null;
                slot.Pending = null;
            }

            Log.SecretRead(logger, name, value is not null);
            return value;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var reported = Describe(exception);
            var refused = exception is RequestFailedException { Status: 401 or 403 };
            bool hadAnswer;
            bool usable;
            string? stale;
            lock (slot.Gate)
            {
                var now = timeProvider.GetUtcNow();
                hadAnswer = slot.HasAnswer;
                usable = hadAnswer && !refused && now < slot.ServeUntil;
                if (!usable)
                {
                    // Nothing to serve any more: forget the value rather than keep it in memory.
                    slot.HasAnswer = false;
                    slot.Value = null;
                }

                stale = slot.Value;
                slot.RefreshAfter = now + Backoff;
                slot.LastFailure = reported;
                slot.Pending = null;
            }

            if (usable)
            {
                Log.SecretReadFailedUsingCachedValue(logger, name, Backoff, reported);
                return stale;
            }

            if (refused && hadAnswer)
            {
                Log.SecretAccessRefused(logger, name, reported);
            }
            else if (hadAnswer)
            {
                Log.SecretReadFailedCachedValueTooOld(logger, name, _maxStale, reported);
            }
            else
            {
                Log.SecretReadFailed(logger, name, Backoff, reported);
            }

            throw new SecretsUnavailableException(name, reported);
        }
    }

    private static async Task<string?> ReadFromVaultAsync(SecretClient client, string name)
    {
        try
        {
            // No caller token: the read is shared. The client's retry options bound how long it can take.
            var response = await client.GetSecretAsync(name, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            var value = response.Value.Value;
            return string.IsNullOrEmpty(value) ? null : value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    // RequestFailedException messages carry the vault's response body and headers; keep the status and error code
    // only, so neither logs nor the SecretsUnavailableException chain repeat what the vault said.
    private static Exception Describe(Exception exception) =>
        exception is RequestFailedException failed
            ? new RequestFailedException(failed.Status, $"Key Vault answered {failed.Status} ({failed.ErrorCode ?? "no error code"}).", failed.ErrorCode, null)
            : exception;

    private sealed class Slot
    {
        public Lock Gate { get; } = new();

        /// <summary>Gets or sets whether <see cref="Value"/> holds an answer from the vault (a value, or null for "does not exist").</summary>
        public bool HasAnswer { get; set; }

        public string? Value { get; set; }

        /// <summary>Gets or sets when the vault is asked next: the end of the TTL, or of a failure back-off.</summary>
        public DateTimeOffset RefreshAfter { get; set; }

        /// <summary>Gets or sets until when <see cref="Value"/> may be served: its TTL plus <see cref="KeyVaultOptions.MaxStale"/>.</summary>
        public DateTimeOffset ServeUntil { get; set; }

        /// <summary>Gets or sets the (sanitised) failure of the last read, when it failed.</summary>
        public Exception? LastFailure { get; set; }

        public DateTimeOffset? LastInvalidation { get; set; }

        public int Generation { get; set; }

        public Task<string?>? Pending { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Read secret {SecretName} from Key Vault (exists: {Exists}).")]
        public static partial void SecretRead(ILogger logger, string secretName, bool exists);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Reading secret {SecretName} from Key Vault failed; serving the cached value and retrying after {Backoff}.")]
        public static partial void SecretReadFailedUsingCachedValue(ILogger logger, string secretName, TimeSpan backoff, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Reading secret {SecretName} from Key Vault failed and no cached value is available; retrying after {Backoff}.")]
        public static partial void SecretReadFailed(ILogger logger, string secretName, TimeSpan backoff, Exception exception);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Key Vault refused access to secret {SecretName}; the cached value is no longer served.")]
        public static partial void SecretAccessRefused(ILogger logger, string secretName, Exception exception);

        [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Reading secret {SecretName} from Key Vault failed and the cached value is more than {MaxStale} past its TTL; it is no longer served.")]
        public static partial void SecretReadFailedCachedValueTooOld(ILogger logger, string secretName, TimeSpan maxStale, Exception exception);
    }
}
