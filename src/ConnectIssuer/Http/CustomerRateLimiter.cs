using System.Collections.Concurrent;

namespace ConnectIssuer.Http;

/// <summary>
/// One token bucket per customer: a burst of <see cref="RateLimitOptions.PermitsPerMinute"/>, refilled
/// evenly over the minute, so a customer that exceeds the limit waits seconds, not a whole window.
/// The limit is per instance: each scaled-out instance keeps its own buckets.
/// </summary>
/// <remarks>
/// No timers: a bucket's refill is computed from <see cref="TimeProvider"/> when a permit is asked for.
/// Memory is bounded: a bucket left alone for a minute is full again, the same as no bucket, so such buckets
/// are swept (amortised, when the table has doubled since the last sweep); and the table holds about
/// <see cref="MaxCustomers"/> buckets at most (beyond that, the least recently used are dropped, which only ever errs
/// towards letting a request through).
/// </remarks>
public sealed class CustomerRateLimiter(IOptions<RateLimitOptions> options, TimeProvider timeProvider)
{
    /// <summary>The most customers tracked at once per instance.</summary>
    public const int MaxCustomers = 100_000;

    private const int MinSweepThreshold = 1_024;

    // Credit is counted in exact integers: one permit costs CostPerPermit units, and every tick of elapsed time adds
    // _permits units, so a full bucket (_capacity) refills in exactly one minute without rounding drift.
    private const long CostPerPermit = TimeSpan.TicksPerMinute;

    private readonly long _permits = options.Value.PermitsPerMinute;
    private readonly long _capacity = options.Value.PermitsPerMinute * CostPerPermit;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _sweepGate = new();
    private int _sweepThreshold = MinSweepThreshold;

    /// <summary>Gets how many customers currently have a bucket (for tests of the memory bound).</summary>
    internal int TrackedCustomers => _buckets.Count;

    /// <summary>Takes a permit for the customer.</summary>
    /// <exception cref="ApiProblemException">429 <c>rate_limited</c> with the delay until the next permit.</exception>
    public void Acquire(string customerId)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        if (_buckets.Count >= Volatile.Read(ref _sweepThreshold))
        {
            Sweep();
        }

        while (true)
        {
            var bucket = _buckets.GetOrAdd(customerId, static (_, state) => new Bucket(state.Capacity, state.Now), (Capacity: _capacity, Now: timeProvider.GetUtcNow()));
            lock (bucket.Gate)
            {
                if (bucket.Removed)
                {
                    continue;   // swept between the lookup and the lock: take the customer's new bucket
                }

                var now = timeProvider.GetUtcNow();
                Refill(bucket, now);
                bucket.LastUsed = now;
                if (bucket.Credit >= CostPerPermit)
                {
                    bucket.Credit -= CostPerPermit;
                    return;
                }

                var missing = CostPerPermit - bucket.Credit;
                throw new ApiProblemException(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests for this customer; retry later.")
                {
                    RetryAfter = TimeSpan.FromTicks((missing + _permits - 1) / _permits),
                };
            }
        }
    }

    private void Refill(Bucket bucket, DateTimeOffset now)
    {
        var elapsedTicks = (now - bucket.Refilled).Ticks;
        if (elapsedTicks > 0)   // a clock that steps back refills nothing rather than taking credit away
        {
            // Past a minute the bucket is full anyway; capping first keeps the product far from overflow.
            bucket.Credit = Math.Min(_capacity, bucket.Credit + (_permits * Math.Min(elapsedTicks, TimeSpan.TicksPerMinute)));
            bucket.Refilled = now;
        }
    }

    /// <summary>Drops full buckets (lossless), then, at <see cref="MaxCustomers"/>, the least recently used.</summary>
    private void Sweep()
    {
        if (!_sweepGate.TryEnter())
        {
            return;   // another request is sweeping
        }

        try
        {
            var now = timeProvider.GetUtcNow();
            foreach (var (customerId, bucket) in _buckets)
            {
                lock (bucket.Gate)
                {
                    Refill(bucket, now);
                    if (bucket.Credit >= _capacity)
                    {
                        Remove(customerId, bucket);
                    }
                }
            }

            // Over the cap: drop the least recently used down to 90 %, so the next sweep is 10 % of the cap away.
            var excess = _buckets.Count - (MaxCustomers / 10 * 9);
            if (_buckets.Count >= MaxCustomers && excess > 0)
            {
                foreach (var (customerId, bucket) in _buckets.OrderBy(pair => pair.Value.LastUsed).Take(excess).ToList())
                {
                    lock (bucket.Gate)
                    {
                        Remove(customerId, bucket);
                    }
                }
            }

            Volatile.Write(ref _sweepThreshold, Math.Clamp(_buckets.Count * 2, MinSweepThreshold, MaxCustomers));
        }
        finally
        {
            _sweepGate.Exit();
        }
    }

    private void Remove(string customerId, Bucket bucket)
    {
        bucket.Removed = true;
        _buckets.TryRemove(new KeyValuePair<string, Bucket>(customerId, bucket));
    }

    private sealed class Bucket(long credit, DateTimeOffset now)
    {
        public Lock Gate { get; } = new();

        public long Credit { get; set; } = credit;

        public DateTimeOffset Refilled { get; set; } = now;

        public DateTimeOffset LastUsed { get; set; } = now;

        public bool Removed { get; set; }
    }
}
