using System.Threading.RateLimiting;

namespace ConnectIssuer.Http;

/// <summary>
/// One token bucket per customer: a burst of <see cref="RateLimitOptions.PermitsPerMinute"/>, refilled
/// evenly over the minute, so a customer that exceeds the limit waits seconds, not a whole window.
/// </summary>
public sealed class CustomerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _refillPeriod;

    public CustomerRateLimiter(IOptions<RateLimitOptions> options)
    {
        var permits = options.Value.PermitsPerMinute;
        _refillPeriod = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerMinute / permits));
        _limiter = PartitionedRateLimiter.Create<string, string>(customerId => RateLimitPartition.GetTokenBucketLimiter(
            customerId,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = permits,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = _refillPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes a permit for the customer.</summary>
    /// <exception cref="ApiProblemException">429 <c>rate_limited</c> with the delay until the next permit.</exception>
    public void Acquire(string customerId)
    {
        using var lease = _limiter.AttemptAcquire(customerId);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : _refillPeriod;
            throw new ApiProblemException(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests for this customer; retry later.")
            {
                RetryAfter = retryAfter,
            };
        }
    }

    public void Dispose() => _limiter.Dispose();
}
