using System.Collections.Concurrent;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>
/// The per-instance map username → Alloy user id: a bounded cache (the id of a username never changes while the user
/// exists), and one shared resolution per username at a time, so concurrent first requests of one instance make a
/// single look-up (and at most a single create) between them. Across instances the vendor's duplicate answer does
/// the same job (see <see cref="AlloyUserTokenHandler"/>).
/// </summary>
/// <remarks>
/// Only successes are cached. When the cache is full the oldest entry goes (first in, first out): a forgotten
/// username costs one look-up the next time. A user deleted at Alloy is noticed by its token call (404), which
/// calls <see cref="Forget"/>.
/// </remarks>
public sealed class AlloyUserIds
{
    /// <summary>The most usernames one instance remembers (about a megabyte for ordinary customer ids).</summary>
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly KeyedSingleFlight<string, string> _inFlight;
    private readonly Lock _evictionLock = new();

    public AlloyUserIds(TimeProvider timeProvider)
        : this(timeProvider, DefaultCapacity)
    {
    }

    internal AlloyUserIds(TimeProvider timeProvider, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _inFlight = new(timeProvider, StringComparer.Ordinal);
    }

    /// <summary>Gets the most entries kept.</summary>
    public int Capacity { get; }

    /// <summary>Gets how many usernames are cached now.</summary>
    public int Count => _ids.Count;

    /// <summary>Gets the cached id of <paramref name="username"/>, if any.</summary>
    public bool TryGet(string username, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? userId) =>
        _ids.TryGetValue(username, out userId);

    /// <summary>
    /// Returns the cached id, or joins the resolution already running for <paramref name="username"/>, or starts
    /// <paramref name="resolve"/> and caches what it returns.
    /// </summary>
    /// <remarks>
    /// Shared through <see cref="KeyedSingleFlight{TKey, TValue}"/>: one caller giving up does not fail the others, and
    /// a failure reaches every waiter of that resolution and is not cached.
    /// </remarks>
    public Task<string> ResolveAsync(string username, Func<CancellationToken, Task<string>> resolve, CancellationToken cancellationToken)
    {
        if (_ids.TryGetValue(username, out var cached))
        {
            return Task.FromResult(cached);
        }

        return _inFlight.RunAsync(
            username,
            async ct =>
            {
                var userId = await resolve(ct);
                Remember(username, userId);
                return userId;
            },
            cancellationToken);
    }

    /// <summary>Drops <paramref name="username"/> when it is still cached as <paramref name="userId"/> (the user is gone at Alloy).</summary>
    public void Forget(string username, string userId) =>
        _ids.TryRemove(new KeyValuePair<string, string>(username, userId));

    private void Remember(string username, string userId)
    {
        if (!_ids.TryAdd(username, userId))
        {
            _ids[username] = userId;
            return;
        }

        _order.Enqueue(username);
        lock (_evictionLock)
        {
            // The queue may also name usernames forgotten (and perhaps cached again since); it is trimmed too, so both
            // stay bounded. Dropping a live entry early only costs a look-up.
            while ((_ids.Count > Capacity || _order.Count > 2 * Capacity) && _order.TryDequeue(out var oldest))
            {
                _ids.TryRemove(oldest, out _);
            }
        }
    }
}
