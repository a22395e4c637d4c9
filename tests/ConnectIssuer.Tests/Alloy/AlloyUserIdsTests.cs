using ConnectIssuer.Alloy;

namespace ConnectIssuer.Tests.Alloy;

public sealed class AlloyUserIdsTests
{
    [Fact]
    public async Task ResolveAsync_Known_ReturnsCachedIdWithoutResolving()
    {
        var ids = new AlloyUserIds(TimeProvider.System);
        var calls = 0;
        Task<string> Resolve(CancellationToken _) => Task.FromResult("id-" + Interlocked.Increment(ref calls));

        var first = await ids.ResolveAsync("u.a", Resolve, CancellationToken.None);
        var second = await ids.ResolveAsync("u.a", Resolve, CancellationToken.None);

        Assert.Equal(("id-1", "id-1", 1), (first, second, calls));
    }

    [Fact]
    public async Task ResolveAsync_ConcurrentCallers_ShareOneResolution()
    {
        var ids = new AlloyUserIds(TimeProvider.System);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var waiting = Enumerable.Range(0, 8)
            .Select(_ => ids.ResolveAsync("u.a", _ => { Interlocked.Increment(ref calls); return gate.Task; }, CancellationToken.None))
            .ToList();
        gate.SetResult("id-1");

        Assert.All(await Task.WhenAll(waiting), id => Assert.Equal("id-1", id));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ResolveAsync_Failure_IsNotCachedAndTheNextCallResolvesAgain()
    {
        var ids = new AlloyUserIds(TimeProvider.System);

        await Assert.ThrowsAsync<InvalidOperationException>(() => ids.ResolveAsync("u.a", _ => throw new InvalidOperationException(), CancellationToken.None));
        var id = await ids.ResolveAsync("u.a", _ => Task.FromResult("id-2"), CancellationToken.None);

        Assert.Equal("id-2", id);
        Assert.Equal(1, ids.Count);
    }

    [Fact]
    public async Task ResolveAsync_OneCallerGivesUp_TheOthersStillGetTheId()
    {
        var ids = new AlloyUserIds(TimeProvider.System);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();

        var first = ids.ResolveAsync("u.a", _ => gate.Task, impatient.Token);
        var second = ids.ResolveAsync("u.a", _ => gate.Task, CancellationToken.None);
        await impatient.CancelAsync();
        gate.SetResult("id-1");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("id-1", await second);
        Assert.True(ids.TryGet("u.a", out var cached) && cached == "id-1");
    }

    [Fact]
    public async Task Cache_IsBoundedAndDropsTheOldestFirst()
    {
        var ids = new AlloyUserIds(TimeProvider.System, capacity: 3);

        foreach (var name in (string[])["u.a", "u.b", "u.c", "u.d", "u.e"])
        {
            await ids.ResolveAsync(name, _ => Task.FromResult("id-" + name), CancellationToken.None);
        }

        Assert.Equal(3, ids.Count);
        Assert.False(ids.TryGet("u.a", out _));
        Assert.False(ids.TryGet("u.b", out _));
        Assert.True(ids.TryGet("u.e", out var newest) && newest == "id-u.e");
        Assert.Equal(AlloyUserIds.DefaultCapacity, new AlloyUserIds(TimeProvider.System).Capacity);
    }

    [Fact]
    public async Task Cache_ManyForgetAndResolveRounds_StaysBounded()
    {
        var ids = new AlloyUserIds(TimeProvider.System, capacity: 2);
        for (var round = 0; round < 100; round++)
        {
            var id = await ids.ResolveAsync("u.a", _ => Task.FromResult("id-" + round), CancellationToken.None);
            ids.Forget("u.a", id);
            await ids.ResolveAsync("u.b" + (round % 5), _ => Task.FromResult("x"), CancellationToken.None);
        }

        Assert.InRange(ids.Count, 0, 2);
    }

    [Fact]
    public async Task Forget_OnlyDropsTheIdItNames()
    {
        var ids = new AlloyUserIds(TimeProvider.System);
        await ids.ResolveAsync("u.a", _ => Task.FromResult("id-1"), CancellationToken.None);

        ids.Forget("u.a", "id-other");
        Assert.True(ids.TryGet("u.a", out _));
        ids.Forget("u.a", "id-1");
        Assert.False(ids.TryGet("u.a", out _));
    }
}
