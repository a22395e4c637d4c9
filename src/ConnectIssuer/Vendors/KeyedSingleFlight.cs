namespace ConnectIssuer.Vendors;

/// <summary>
/// One in-flight piece of work per key within this instance: concurrent first creates of one key (an Alloy user, a
/// Fivetran connection) make one set of vendor calls between them. Across instances the vendor's duplicate answer
/// still decides; this only keeps the common case quiet.
/// </summary>
/// <remarks>
/// The first caller of a key starts the work; later callers join its task. The work runs without any caller's
/// cancellation token (each vendor call is bounded by <c>Vendors:Timeout</c>), so one caller giving up does not fail
/// the others; each caller waits with its own token. The entry is removed as the work completes, before its result is
/// seen, so a failure reaches every caller of that flight and the next call starts afresh. A caller given a
/// <c>joinTimeout</c> that finds a flight running waits at most that long (on the injected clock), then runs the work
/// itself, unshared, rather than queueing behind a hanging vendor.
/// </remarks>
public sealed class KeyedSingleFlight<TKey, TValue>(TimeProvider timeProvider, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly Dictionary<TKey, Task<TValue>> _flights = new(comparer);

    /// <summary>Gets the number of keys with work in flight (for tests: it returns to zero).</summary>
    public int Count
    {
        get
        {
            lock (_flights)
            {
                return _flights.Count;
            }
        }
    }

    /// <summary>Joins the work in flight for <paramref name="key"/>, or starts <paramref name="work"/> as it.</summary>
    public Task<TValue> RunAsync(
        TKey key, Func<CancellationToken, Task<TValue>> work, CancellationToken cancellationToken, TimeSpan? joinTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        TaskCompletionSource<TValue> started;
        lock (_flights)
        {
            if (_flights.TryGetValue(key, out var running))
            {
                return joinTimeout is { } timeout ? JoinAsync(running, work, timeout, cancellationToken) : running.WaitAsync(cancellationToken);
            }

            started = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            _flights.Add(key, started.Task);
        }

        _ = CompleteAsync(key, started, work);
        return started.Task.WaitAsync(cancellationToken);
    }

    private async Task<TValue> JoinAsync(
        Task<TValue> running, Func<CancellationToken, Task<TValue>> work, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await running.WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException) when (!running.IsCompleted)
        {
            return await work(cancellationToken);
        }
    }

    private async Task CompleteAsync(TKey key, TaskCompletionSource<TValue> completion, Func<CancellationToken, Task<TValue>> work)
    {
        try
        {
            var value = await work(CancellationToken.None);
            Remove(key, completion.Task);
            completion.SetResult(value);
        }
        catch (Exception exception)
        {
            Remove(key, completion.Task);
            completion.SetException(exception);
        }
    }

    private void Remove(TKey key, Task<TValue> flight)
    {
        lock (_flights)
        {
            if (_flights.TryGetValue(key, out var current) && ReferenceEquals(current, flight))
            {
                _flights.Remove(key);
            }
        }
    }
}
