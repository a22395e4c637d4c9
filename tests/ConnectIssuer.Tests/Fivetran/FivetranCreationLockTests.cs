using ConnectIssuer.Fivetran;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Fivetran;

public sealed class FivetranCreationLockTests
{
    [Fact]
    public async Task AcquireAsync_SameKey_SerializesAndForgetsTheKeyAfterwards()
    {
        var gate = Create(TimeSpan.FromSeconds(10));

        var first = await gate.AcquireAsync("g\nschema", CancellationToken.None);
        var second = gate.AcquireAsync("g\nschema", CancellationToken.None);
        var other = await gate.AcquireAsync("g\nother", CancellationToken.None);

        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
        other.Dispose();
        Assert.Equal(0, gate.Count);
    }

    [Fact]
    public async Task AcquireAsync_HolderHangs_WaiterGoesAheadAfterTwiceTheVendorTimeout()
    {
        var gate = Create(TimeSpan.FromMilliseconds(100));
        using var held = await gate.AcquireAsync("k", CancellationToken.None);
        var started = DateTimeOffset.UtcNow;

        var notHeld = await gate.AcquireAsync("k", CancellationToken.None);

        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        notHeld.Dispose();
        notHeld.Dispose();
        Assert.Equal(1, gate.Count);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_LeavesNoEntryBehind()
    {
        var gate = Create(TimeSpan.FromSeconds(10));
        var held = await gate.AcquireAsync("k", CancellationToken.None);
        using var cancellation = new CancellationTokenSource(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.AcquireAsync("k", cancellation.Token));

        held.Dispose();
        Assert.Equal(0, gate.Count);
    }

    private static FivetranCreationLock Create(TimeSpan vendorTimeout) =>
        new(Options.Create(new VendorsOptions { Timeout = vendorTimeout }));
}
