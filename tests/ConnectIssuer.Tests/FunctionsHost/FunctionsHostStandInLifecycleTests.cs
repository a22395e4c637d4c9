using System.Diagnostics;
using ConnectIssuer.FunctionsHost;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.FunctionsHost;

/// <summary>Start-up refusal, several stand-ins at once, and a clean stop of the worker process.</summary>
public sealed class FunctionsHostStandInLifecycleTests
{
    [Fact]
    public async Task StartAsync_DevelopmentAuthInProduction_ThrowsNamingTheSetting()
    {
        // Azure leaves AZURE_FUNCTIONS_ENVIRONMENT unset: Production, where Auth:Mode=Development is refused at start-up.
        var exception = await Assert.ThrowsAsync<WorkerStartException>(
            () => FunctionsAppFixture.App(HostKind.Functions, environment: null).StartAsync());

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
        Assert.NotEqual(first.StandIn!.WorkerProcessId, second.StandIn!.WorkerProcessId);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(first.StandIn!.Invocations);
        Assert.Single(second.StandIn!.Invocations);
    }

    [Fact]
    public async Task DisposeAsync_LeavesNoWorkerProcess()
    {
        var app = await StartDevelopmentAsync();
        var worker = Process.GetProcessById(app.StandIn!.WorkerProcessId);
        Assert.False(worker.HasExited);

        await app.DisposeAsync();

        Assert.True(worker.HasExited);
        Assert.DoesNotContain(Process.GetProcesses(), p => p.Id == app.StandIn!.WorkerProcessId && !p.HasExited);
        Assert.Contains(app.Logs.Lines, l => l.Contains("Application is shutting down", StringComparison.Ordinal));   // worker_terminate, not a kill
    }

    private static Task<RunningApp> StartDevelopmentAsync() => FunctionsAppFixture.App(HostKind.Functions).StartAsync();
}
