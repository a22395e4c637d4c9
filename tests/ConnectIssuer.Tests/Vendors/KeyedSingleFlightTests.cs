using ConnectIssuer.Vendors;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Vendors;

public sealed class KeyedSingleFlightTests
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_SameKey_SharesOneFlightAndForgetsTheKeyAfterwards()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock, StringComparer.Ordinal);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Task<string> Work(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            return gate.Task;
        }

        var waiting = Enumerable.Range(0, 8).Select(_ => flights.RunAsync("g\nschema", Work, CancellationToken.None, JoinTimeout)).ToList();

        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        Assert.Equal(1, flights.Count);
        gate.SetResult("id-1");
        Assert.All(await Task.WhenAll(waiting), id => Assert.Equal("id-1", id));
        Assert.Equal(1, calls);
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task RunAsync_DifferentKeys_DoNotShare()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock, StringComparer.Ordinal);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = flights.RunAsync("g\nschema", _ => gate.Task, CancellationToken.None);
        var other = await flights.RunAsync("g\nother", _ => Task.FromResult("other"), CancellationToken.None);

        Assert.Equal("other", other);
        Assert.False(held.IsCompleted);
        Assert.Equal(1, flights.Count);
        gate.SetResult("held");
        Assert.Equal("held", await held);
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task RunAsync_Failure_ReachesEveryWaiterAndTheNextCallRunsAgain()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock, StringComparer.Ordinal);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var waiting = Enumerable.Range(0, 4)
            .Select(_ => flights.RunAsync("k", _ => { Interlocked.Increment(ref calls); return gate.Task; }, CancellationToken.None))
            .ToList();
        gate.SetException(new InvalidOperationException("vendor refused"));

        foreach (var waiter in waiting)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => waiter);
            Assert.Equal("vendor refused", failure.Message);
        }

        Assert.Equal(0, flights.Count);
        var retried = await flights.RunAsync("k", _ => { Interlocked.Increment(ref calls); return Task.FromResult("id-2"); }, CancellationToken.None);
        Assert.Equal(("id-2", 2), (retried, calls));
    }

    [Fact]
    public async Task RunAsync_SynchronousThrow_ReachesTheCallerAndLeavesNoEntry()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock);

        await Assert.ThrowsAsync<InvalidOperationException>(() => flights.RunAsync("k", _ => throw new InvalidOperationException(), CancellationToken.None));

        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task RunAsync_WorkRunsWithoutTheCallersToken()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock);
        using var caller = new CancellationTokenSource();
        CancellationToken seen = caller.Token;

        await flights.RunAsync("k", ct => { seen = ct; return Task.FromResult("id"); }, caller.Token);

        Assert.False(seen.CanBeCanceled);
    }

    [Fact]
    public async Task RunAsync_HolderHangs_JoinerGoesAheadUnsharedAfterTheJoinTimeout()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock, StringComparer.Ordinal);
        var hanging = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = flights.RunAsync("k", _ => hanging.Task, CancellationToken.None, JoinTimeout);
        var ownCalls = 0;

        var joiner = flights.RunAsync("k", _ => { Interlocked.Increment(ref ownCalls); return Task.FromResult("own"); }, CancellationToken.None, JoinTimeout);
        _clock.Advance(JoinTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(joiner.IsCompleted);
        Assert.Equal(0, ownCalls);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("own", await joiner);
        Assert.Equal(1, ownCalls);
        Assert.Equal(1, flights.Count);
        hanging.SetResult("shared");
        Assert.Equal("shared", await first);
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task RunAsync_JoinerCancelled_OthersStillGetTheValueAndNoEntryIsLeftBehind()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock, StringComparer.Ordinal);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = flights.RunAsync("k", _ => gate.Task, CancellationToken.None, JoinTimeout);
        using var cancellation = new CancellationTokenSource();

        var impatient = flights.RunAsync("k", _ => gate.Task, cancellation.Token, JoinTimeout);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.Equal(1, flights.Count);
        gate.SetResult("id-1");
        Assert.Equal("id-1", await held);
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task RunAsync_StarterCancelled_TheFlightStillCompletesForTheOthers()
    {
        var flights = new KeyedSingleFlight<string, string>(_clock, StringComparer.Ordinal);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancellation = new CancellationTokenSource();

        var starter = flights.RunAsync("k", _ => gate.Task, cancellation.Token);
        var other = flights.RunAsync("k", _ => gate.Task, CancellationToken.None);
        await cancellation.CancelAsync();
        gate.SetResult("id-1");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter);
        Assert.Equal("id-1", await other);
        Assert.Equal(0, flights.Count);
    }
}
