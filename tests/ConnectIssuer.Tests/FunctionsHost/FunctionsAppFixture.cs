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

    public FunctionsHostStandIn Host { get; private set; } = null!;

    public HttpClient Functions { get; private set; } = null!;

    internal RunningApp Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await StartAsync(Settings, "Development");
        Functions = new HttpClient { BaseAddress = Host.BaseAddress };
        Server = await TestApp.StartServerAsync(new Dictionary<string, string?>(Settings), "Development");
    }

    public async Task DisposeAsync()
    {
        Functions.Dispose();
        await Host.DisposeAsync();
        await Server.DisposeAsync();
    }

    public static async Task<FunctionsHostStandIn> StartAsync(IReadOnlyDictionary<string, string?> settings, string? environment) =>
        await FunctionsHostStandIn.StartAsync(new StandInOptions
        {
            AppDirectory = await PublishedApp.LocateAsync(),
            AppSettings = settings,
            AzureFunctionsEnvironment = environment,
            StartTimeout = TimeSpan.FromSeconds(120),   // a cold start on a loaded 2-core machine
        });
}
