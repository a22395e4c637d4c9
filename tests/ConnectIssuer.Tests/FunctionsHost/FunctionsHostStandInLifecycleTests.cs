using System.Diagnostics;
using ConnectIssuer.FunctionsHost;

namespace ConnectIssuer.Tests.FunctionsHost;

/// <summary>Start-up refusal, several stand-ins at once, and a clean stop of the worker process.</summary>
public sealed class FunctionsHostStandInLifecycleTests
{
    [Fact]
    public async Task StartAsync_DevelopmentAuthInProduction_ThrowsNamingTheSetting()
    {
        // Azure leaves AZURE_FUNCTIONS_ENVIRONMENT unset: Production, where Auth:Mode=Development is refused at start-up.
        var exception = await Assert.ThrowsAsync<WorkerStartException>(
            () => FunctionsAppFixture.StartAsync(FunctionsAppFixture.Settings, environment: null));

        Assert.Contains("did not start: the worker exited", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Mode=Development is refused outside the Development environment", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FunctionsAppFixture.WorkspaceSecret, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TwoStandInsAtOnce_BothAnswer()
    {
        var starts = new[] { StartDevelopmentAsync(), StartDevelopmentAsync() };
        await using var first = await starts[0];
        await using var second = await starts[1];
        using var client = new HttpClient();

        var answers = await Task.WhenAll(
            client.GetAsync(new Uri(first.BaseAddress, "api/health")), client.GetAsync(new Uri(second.BaseAddress, "api/health")));

        Assert.NotEqual(first.BaseAddress, second.BaseAddress);
        Assert.NotEqual(first.WorkerProcessId, second.WorkerProcessId);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(first.Invocations);
        Assert.Single(second.Invocations);
    }

    [Fact]
    public async Task DisposeAsync_LeavesNoWorkerProcess()
    {
        var standIn = await StartDevelopmentAsync();
        var worker = Process.GetProcessById(standIn.WorkerProcessId);
        Assert.False(worker.HasExited);

        await standIn.DisposeAsync();

        Assert.True(worker.HasExited);
        Assert.DoesNotContain(Process.GetProcesses(), p => p.Id == standIn.WorkerProcessId && !p.HasExited);
        Assert.Contains(standIn.Logs, l => l.Contains("Application is shutting down", StringComparison.Ordinal));   // worker_terminate, not a kill
    }

    private static Task<FunctionsHostStandIn> StartDevelopmentAsync() => FunctionsAppFixture.StartAsync(FunctionsAppFixture.Settings, "Development");
}
