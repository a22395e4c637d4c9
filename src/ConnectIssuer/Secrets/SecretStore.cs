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
/// Concurrent requests for a secret whose cache is cold or expired share one Key Vault read. When a refresh fails
/// and a value (or a "does not exist" answer) is cached, the cached answer is served and the vault is left alone
/// for a short back-off. Secret values are never logged or put into exception messages.
/// A null <c>secretClient</c> reads the <c>Secrets</c> configuration section instead of Key Vault.
/// </remarks>
public sealed partial class SecretStore(
    SecretClient? secretClient,
    IConfiguration configuration,
    IOptions<KeyVaultOptions> options,
    TimeProvider timeProvider,
    ILogger<SecretStore> logger)
{
    // After a failed refresh, the stale answer is served for this long (capped by the TTL) before the vault is
    // tried again, so a failing vault sees one read per secret per back-off rather than one per request.
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _ttl = options.Value.CacheTtl;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

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
            if (slot.HasAnswer && timeProvider.GetUtcNow() < slot.RefreshAfter)
            {
                return ValueTask.FromResult(slot.Value);
            }

            // Task.Run: the read must not complete inline while the gate is held (it takes the gate to publish its
            // result), and it must not carry any one caller's cancellation token.
            read = slot.Pending ??= Task.Run(() => RefreshAsync(name, slot));
        }

        return new ValueTask<string?>(read.WaitAsync(cancellationToken));
    }

    /// <summary>Marks a cached secret as stale, so the next <see cref="GetAsync"/> reads it from the source again.</summary>
    /// <remarks>Vendor clients call this after a vendor answers 401, before retrying once.</remarks>
    public void Invalidate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_slots.TryGetValue(name, out var slot))
        {
            lock (slot.Gate)
            {
                slot.RefreshAfter = DateTimeOffset.MinValue;
                slot.Generation++;
            }
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
                slot.Value = value;
                slot.HasAnswer = true;
                // A read that started before an Invalidate may carry the old value: serve it, but re-read next time.
                slot.RefreshAfter = slot.Generation == generation ? timeProvider.GetUtcNow() + _ttl : DateTimeOffset.MinValue;
                slot.Pending = null;
            }

            Log.SecretRead(logger, name, value is not null);
            return value;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var reported = Describe(exception);
            var backoff = _ttl < MaxFailureBackoff ? _ttl : MaxFailureBackoff;
            bool hasAnswer;
            string? stale;
            lock (slot.Gate)
            {
                slot.Pending = null;
                hasAnswer = slot.HasAnswer;
                stale = slot.Value;
                if (hasAnswer)
                {
                    slot.RefreshAfter = timeProvider.GetUtcNow() + backoff;
                }
            }

            if (!hasAnswer)
            {
                Log.SecretReadFailed(logger, name, reported);
                throw new SecretsUnavailableException(name, reported);
            }

            Log.SecretReadFailedUsingCachedValue(logger, name, backoff, reported);
            return stale;
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

        public DateTimeOffset RefreshAfter { get; set; }

        public int Generation { get; set; }

        public Task<string?>? Pending { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Read secret {SecretName} from Key Vault (exists: {Exists}).")]
        public static partial void SecretRead(ILogger logger, string secretName, bool exists);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Reading secret {SecretName} from Key Vault failed; serving the cached value and retrying after {Backoff}.")]
        public static partial void SecretReadFailedUsingCachedValue(ILogger logger, string secretName, TimeSpan backoff, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Reading secret {SecretName} from Key Vault failed and no cached value is available.")]
        public static partial void SecretReadFailed(ILogger logger, string secretName, Exception exception);
    }
}
