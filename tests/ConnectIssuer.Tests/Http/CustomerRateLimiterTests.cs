using ConnectIssuer.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Http;

/// <summary>The per-customer token bucket: refilled from the clock on acquire (no timers), bounded in memory.</summary>
public sealed class CustomerRateLimiterTests
{
    private readonly WallClock _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Acquire_BurstThenWait_RefillsEvenlyFromTheClock()
    {
        var limiter = Create(permitsPerMinute: 6);
        for (var i = 0; i < 6; i++)
        {
            limiter.Acquire("org_1");
        }

        var limited = Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_1"));
        Assert.Equal(429, limited.Status);
        Assert.Equal(ProblemCodes.RateLimited, limited.Code);
        Assert.InRange(limited.RetryAfter!.Value.TotalMilliseconds, 9_999, 10_001);

        _clock.Advance(TimeSpan.FromSeconds(9));
        var stillLimited = Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_1"));
        Assert.InRange(stillLimited.RetryAfter!.Value.TotalMilliseconds, 999, 1_001);

        _clock.Advance(TimeSpan.FromSeconds(1));
        limiter.Acquire("org_1");
        Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_1"));
    }

    [Fact]
    public void Acquire_LongIdle_RefillsToTheBurstAndNoMore()
    {
        var limiter = Create(permitsPerMinute: 3);
        for (var i = 0; i < 3; i++)
        {
            limiter.Acquire("org_1");
        }

        _clock.Advance(TimeSpan.FromHours(5));

        for (var i = 0; i < 3; i++)
        {
            limiter.Acquire("org_1");
        }

        Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_1"));
    }

    [Fact]
    public void Acquire_OneCustomerExhausted_OthersUnaffected()
    {
        var limiter = Create(permitsPerMinute: 1);
        limiter.Acquire("org_1");

        Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_1"));
        limiter.Acquire("org_2");
    }

    [Fact]
    public void Acquire_ClockStepsBack_TakesNoTokensAwayAndGivesNone()
    {
        var limiter = Create(permitsPerMinute: 2);
        limiter.Acquire("org_1");

        _clock.StepBack(TimeSpan.FromMinutes(10));
        limiter.Acquire("org_1");
        Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_1"));
    }

    [Fact]
    public void Acquire_ManyIdleCustomers_SweptWithoutLosingAnExhaustedOne()
    {
        var limiter = Create(permitsPerMinute: 2);
        for (var i = 0; i < 5_000; i++)
        {
            limiter.Acquire($"org_idle_{i}");
        }

        _clock.Advance(TimeSpan.FromSeconds(31));   // the idle customers' buckets are full again
        limiter.Acquire("org_busy");
        limiter.Acquire("org_busy");
        for (var i = 0; i < 5_000; i++)
        {
            limiter.Acquire($"org_new_{i}");
        }

        Assert.True(limiter.TrackedCustomers < 10_000, $"{limiter.TrackedCustomers} customers tracked");
        Assert.Throws<ApiProblemException>(() => limiter.Acquire("org_busy"));
    }

    [Fact]
    public void Acquire_MoreActiveCustomersThanTheCap_MemoryStaysBounded()
    {
        var limiter = Create(permitsPerMinute: 5);

        for (var i = 0; i < CustomerRateLimiter.MaxCustomers + 50_000; i++)
        {
            limiter.Acquire($"org_{i}");
        }

        Assert.InRange(limiter.TrackedCustomers, 1, CustomerRateLimiter.MaxCustomers);
    }

    [Fact]
    public void Acquire_ConcurrentCallersForOneCustomer_ExactlyThePermitsPass()
    {
        var limiter = Create(permitsPerMinute: 50);
        var passed = 0;

        Parallel.For(0, 400, _ =>
        {
            try
            {
                limiter.Acquire("org_1");
                Interlocked.Increment(ref passed);
            }
            catch (ApiProblemException)
            {
            }
        });

        Assert.Equal(50, passed);
    }

    private CustomerRateLimiter Create(int permitsPerMinute) =>
        new(Options.Create(new RateLimitOptions { PermitsPerMinute = permitsPerMinute }), _clock);

    /// <summary>A <see cref="FakeTimeProvider"/> that can also step back, as a wall clock does on a correction (the fake only moves forward).</summary>
    private sealed class WallClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private TimeSpan _correction;

        public void StepBack(TimeSpan by) => _correction -= by;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _correction;
    }
}
