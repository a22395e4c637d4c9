using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>
/// The reliability server's clock: a <see cref="FakeTimeProvider"/> that knows when each of its timers is due, so a test
/// advances it only to a wait the server has actually started (a retry delay), never while the server is still working
/// in real time. Started at the real current time, so the loopback issuer's tokens are valid on it.
/// </summary>
internal sealed class ReliabilityClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TrackedTimer, DateTimeOffset> _due = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this);
        timer.Schedule(dueTime, period);
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return timer;
    }

    /// <summary>
    /// Awaits <paramref name="task"/>, advancing the clock to each timer the server starts that is due before
    /// <paramref name="before"/> (a deadline at or after it is left alone), and returns what it completed with. The real
    /// waits only guard against a hang (<see cref="Eventually.HangGuard"/>); they assert no speed.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, DateTimeOffset before)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!task.IsCompleted)
        {
            if (NextDueBefore(before) is { } due)
            {
                Advance(due - GetUtcNow());
                continue;
            }

            Assert.True(TimeProvider.System.GetElapsedTime(started) < Eventually.HangGuard, "Hung: the request neither completed nor waited on the clock.");
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(10)));
        }

        return await task;
    }

    /// <summary>The earliest due time after now and before <paramref name="before"/>; a due time already reached is stale (that timer fired).</summary>
    private DateTimeOffset? NextDueBefore(DateTimeOffset before)
    {
        var now = GetUtcNow();
        lock (_lock)
        {
            DateTimeOffset? next = null;
            foreach (var due in _due.Values)
            {
                if (due > now && due < before && (next is null || due < next))
                {
                    next = due;
                }
            }

            return next;
        }
    }

    private void Set(TrackedTimer timer, TimeSpan dueTime)
    {
        lock (_lock)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || dueTime == TimeSpan.Zero)
            {
                _due.Remove(timer);
            }
            else
            {
                _due[timer] = GetUtcNow() + dueTime;
            }
        }
    }

    /// <summary>A timer of the fake clock whose due time the clock keeps until it fires (once), is changed or is disposed.</summary>
    private sealed class TrackedTimer(ReliabilityClock clock) : ITimer
    {
        private TimeSpan _period;

        public ITimer Inner { get; set; } = null!;

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            clock.Set(this, dueTime);
        }

        public void Fired() => clock.Set(this, _period);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Set(this, Timeout.InfiniteTimeSpan);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Set(this, Timeout.InfiniteTimeSpan);
            return Inner.DisposeAsync();
        }
    }
}
