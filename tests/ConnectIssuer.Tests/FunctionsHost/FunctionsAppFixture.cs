using ConnectIssuer.FunctionsHost;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.FunctionsHost;

/// <summary>
/// The published Functions app run by the host stand-in as Core Tools would run it (Development, callers named by
/// X-Customer-Id), and the Kestrel server with the same settings, so both hosts can be asked the same questions.
/// </summary>
public sealed class FunctionsAppFixture : IAsyncLifetime
{
    public const string WorkspaceSecret = "ws-secret-0123456789abcdef0123456789abcdef";

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Auth:Mode"] = "Development",
        ["IntegrationApp:WorkspaceKey"] = "ws-key-123",
        [$"Secrets:{ConnectIssuer.Secrets.SecretNames.IntegrationAppWorkspaceSecret}"] = WorkspaceSecret,
    };

    /// <summary>Gets the host stand-in running the worker (invocations, worker process).</summary>
    public FunctionsHostStandIn Host => Functions.StandIn!;

    internal RunningApp Functions { get; private set; } = null!;

    internal RunningApp Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Functions = await App(HostKind.Functions).StartAsync();
        Server = await App(HostKind.Server).StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Functions.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>The app with these settings on <paramref name="kind"/>, in <paramref name="environment"/> (null: unset, as on Azure).</summary>
    internal static TestApp App(HostKind kind, string? environment = "Development") =>
        TestApp.For(kind).WithSettings(Settings).InEnvironment(environment);
}
