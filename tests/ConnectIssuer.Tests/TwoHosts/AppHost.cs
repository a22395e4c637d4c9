using ConnectIssuer.FunctionsHost;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>The two hosts that serve the one route table. A difference between them is a product bug.</summary>
public enum HostKind
{
    /// <summary>The standalone server (<c>src/ConnectIssuer.Server</c>) on Kestrel, in this process.</summary>
    Server,

    /// <summary>The published Functions worker (<c>src/ConnectIssuer.Functions</c>) under the host stand-in.</summary>
    Functions,
}

/// <summary>A running app on either host, configured by settings only, with every log line it wrote.</summary>
internal interface IRunningApp : IAsyncDisposable
{
    HostKind Kind { get; }

    HttpClient Client { get; }

    IReadOnlyCollection<string> LogLines { get; }
}

internal static class AppHost
{
    public static IReadOnlyList<HostKind> Kinds { get; } = [HostKind.Server, HostKind.Functions];

    public static TheoryData<HostKind> Both => [.. Kinds];

    /// <summary>
    /// Starts <paramref name="kind"/> with <paramref name="settings"/> (configuration keys with <c>:</c>) as its only
    /// configuration, in <paramref name="environment"/>: the server's environment name, or the worker's
    /// <c>AZURE_FUNCTIONS_ENVIRONMENT</c> (null leaves it unset, as Azure does: Production).
    /// </summary>
    public static async Task<IRunningApp> StartAsync(HostKind kind, IReadOnlyDictionary<string, string?> settings, string? environment = "Production")
    {
        if (kind == HostKind.Server)
        {
            return new ServerApp(await RunningServer.StartAsync(new Dictionary<string, string?>(settings), environment ?? "Production"));
        }

        var standIn = await FunctionsHostStandIn.StartAsync(new StandInOptions
        {
            AppDirectory = await PublishedApp.LocateAsync(),
            AppSettings = settings,
            AzureFunctionsEnvironment = environment,
        });
        return new FunctionsApp(standIn);
    }

    private sealed class ServerApp(RunningServer server) : IRunningApp
    {
        public HostKind Kind => HostKind.Server;

        public HttpClient Client => server.Client;

        public IReadOnlyCollection<string> LogLines => server.Logs.Lines;

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    private sealed class FunctionsApp(FunctionsHostStandIn standIn) : IRunningApp
    {
        public HostKind Kind => HostKind.Functions;

        public HttpClient Client { get; } = new() { BaseAddress = standIn.BaseAddress };

        public IReadOnlyCollection<string> LogLines => standIn.Logs;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await standIn.DisposeAsync();
        }
    }
}
