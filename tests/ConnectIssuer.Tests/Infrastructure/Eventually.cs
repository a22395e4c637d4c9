namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>
/// Waiting for something to happen, without asserting how fast it happens. The one timeout here only guards
/// against a hung test: it is generous on purpose (a loaded 2-core machine), and a test never states speed through
/// it. Timing belongs in <c>bench/</c>; tests that need time to pass use <c>FakeTimeProvider</c>.
/// </summary>
internal static class Eventually
{
    /// <summary>Gets how long a wait may take before the test is considered hung.</summary>
    public static TimeSpan HangGuard { get; } = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="because"/> if it never does.</summary>
    public static async Task TrueAsync(Func<bool> condition, string because)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < HangGuard, $"Hung waiting: {because}");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing (instead of hanging) if it never completes.</summary>
    public static Task<T> CompletesAsync<T>(Task<T> task) => task.WaitAsync(HangGuard);

    /// <summary>Awaits <paramref name="task"/>, failing (instead of hanging) if it never completes.</summary>
    public static Task CompletesAsync(Task task) => task.WaitAsync(HangGuard);

    /// <summary>
    /// Whether <paramref name="task"/> completes within a short look (200 ms), used after advancing a fake clock to just
    /// before a deadline to check that nothing answered early. Under load it can miss an early answer, never invent one.
    /// </summary>
    public static async Task<bool> CompletesWithinLookAsync(Task task) =>
        await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(200))) == task;
}
