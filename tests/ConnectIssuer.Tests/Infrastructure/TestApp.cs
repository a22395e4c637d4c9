using ConnectIssuer.FunctionsHost;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>The two hosts that serve the one route table. A difference between them is a product bug.</summary>
public enum HostKind
{
    /// <summary>The standalone server (<c>src/ConnectIssuer.Server</c>) on Kestrel, in this process.</summary>
    Server,

    /// <summary>The published Functions worker (<c>src/ConnectIssuer.Functions</c>) under the host stand-in.</summary>
    Functions,
}

/// <summary>
/// The one way tests start the app: <c>TestApp.For(HostKind.Server).WithSettings(...).WithVendor(...).StartAsync()</c>.
/// The app gets the given settings as its only configuration (configuration keys with <c>:</c>; the worker gets them
/// as app settings), vendor simulations on their own loopback servers, and every log line captured.
/// </summary>
internal sealed class TestApp
{
    private readonly HostKind _kind;
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Section, IVendorSimulation Simulation, string? PathBase)> _vendors = [];
    private readonly Dictionary<string, VendorServer> _sharedVendors = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<VendorServer> _startedVendors = [];
    private Action<IServiceCollection>? _services;
    private string? _environment = "Production";

    private TestApp(HostKind kind) => _kind = kind;

    /// <summary>Gets how long the worker may take to load: a hang guard for a cold start on a loaded 2-core machine, not a speed claim.</summary>
    public static TimeSpan StartTimeout { get; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets both hosts, for theories that run on each.</summary>
    public static IReadOnlyList<HostKind> Hosts { get; } = [HostKind.Server, HostKind.Functions];

    public static TheoryData<HostKind> BothHosts => [.. Hosts];

    public static TestApp For(HostKind kind) => new(kind);

    /// <summary>Adds or replaces settings (a null value is passed on as null, as an empty app setting would be).</summary>
    public TestApp WithSettings(IEnumerable<KeyValuePair<string, string?>>? settings)
    {
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }

        return this;
    }

    /// <summary>The standalone server with <paramref name="settings"/>, in <paramref name="environment"/>, with replaced services.</summary>
    public static Task<RunningApp> StartServerAsync(
        IEnumerable<KeyValuePair<string, string?>> settings, string environment = "Production", Action<IServiceCollection>? services = null)
    {
        var app = For(HostKind.Server).WithSettings(settings).InEnvironment(environment);
        return (services is null ? app : app.WithServices(services)).StartAsync();
    }

    /// <summary>
    /// Sets the environment: the server's environment name, or the worker's <c>AZURE_FUNCTIONS_ENVIRONMENT</c> (null leaves it
    /// unset, as Azure does; the server then runs as Production). The default is Production.
    /// </summary>
    public TestApp InEnvironment(string? environment)
    {
        _environment = environment;
        return this;
    }

    /// <summary>Replaces services of the server (a fake vault client, a fake clock); the worker runs in another process.</summary>
    public TestApp WithServices(Action<IServiceCollection> services)
    {
        if (_kind != HostKind.Server)
        {
            throw new InvalidOperationException("Services can only be replaced in the in-process server; the worker gets settings only.");
        }

        _services += services;
        return this;
    }

    /// <summary>
    /// Serves <paramref name="simulation"/> on a loopback server that starts and stops with the app (<c>Vendors[section]</c>),
    /// and points <c>{section}:BaseUrl</c> at it (plus <paramref name="pathBase"/>) unless the settings name a base URL.
    /// </summary>
    public TestApp WithVendor(string section, IVendorSimulation simulation, string? pathBase = null)
    {
        _vendors.Add((section, simulation, pathBase));
        return this;
    }

    /// <summary>Points <c>{section}:BaseUrl</c> at a vendor server that outlives the app (shared by several apps).</summary>
    public TestApp WithVendor(string section, VendorServer vendor)
    {
        _sharedVendors[section] = vendor;
        _settings.TryAdd(section + ":BaseUrl", vendor.BaseUrl);
        return this;
    }

    public async Task<RunningApp> StartAsync()
    {
        var vendors = new Dictionary<string, VendorServer>(_sharedVendors, StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var (section, simulation, pathBase) in _vendors)
            {
                var server = await VendorServer.StartAsync(simulation, pathBase);
                _startedVendors.Add(server);
                vendors[section] = server;
                _settings.TryAdd(section + ":BaseUrl", server.BaseUrl + pathBase);
            }

            return _kind == HostKind.Server ? await StartServerAsync(vendors) : await StartFunctionsAsync(vendors);
        }
        catch
        {
            foreach (var vendor in _startedVendors)
            {
                await vendor.DisposeAsync();
            }

            throw;
        }
    }

    private async Task<RunningApp> StartServerAsync(Dictionary<string, VendorServer> vendors)
    {
        var contentRoot = Directory.CreateTempSubdirectory("connectissuer-test-").FullName;
        var logs = new CapturedLogs();
        var app = ServerApp.Create(
            new WebApplicationOptions { EnvironmentName = _environment ?? "Production", ContentRootPath = contentRoot, ApplicationName = "ConnectIssuer.Server" },
            builder =>
            {
                builder.Configuration.Sources.Clear();
                builder.Configuration.AddInMemoryCollection(_settings);
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddProvider(logs);
                _services?.Invoke(builder.Services);
            });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(contentRoot, recursive: true);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningApp(HostKind.Server, new Uri(address), logs, _settings, vendors, [.. _startedVendors], app.Services, async () =>
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(contentRoot, recursive: true);
        });
    }

    private async Task<RunningApp> StartFunctionsAsync(Dictionary<string, VendorServer> vendors)
    {
        var logs = new CapturedLogs();
        var standIn = await FunctionsHostStandIn.StartAsync(new StandInOptions
        {
            AppDirectory = await PublishedApp.LocateAsync(),
            AppSettings = _settings,
            AzureFunctionsEnvironment = _environment,
            OnLog = logs.Add,
            StartTimeout = StartTimeout,
        });
        return new RunningApp(HostKind.Functions, standIn.BaseAddress, logs, _settings, vendors, [.. _startedVendors], services: null, standIn.DisposeAsync)
        {
            StandIn = standIn,
        };
    }
}

/// <summary>An app started by <see cref="TestApp"/>, on either host: its address, a client, its logs and its vendor servers.</summary>
internal sealed class RunningApp : IAsyncDisposable
{
    private readonly IReadOnlyList<VendorServer> _ownedVendors;
    private readonly Func<ValueTask> _stop;
    private readonly IServiceProvider? _services;
    private bool _stopped;

    internal RunningApp(
        HostKind kind,
        Uri baseAddress,
        CapturedLogs logs,
        IReadOnlyDictionary<string, string?> settings,
        IReadOnlyDictionary<string, VendorServer> vendors,
        IReadOnlyList<VendorServer> ownedVendors,
        IServiceProvider? services,
        Func<ValueTask> stop)
    {
        Kind = kind;
        BaseAddress = baseAddress;
        Logs = logs;
        Settings = settings;
        Vendors = vendors;
        _ownedVendors = ownedVendors;
        _services = services;
        _stop = stop;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public HostKind Kind { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>Gets every log line the app wrote (the server's log calls, or the worker's rpc_log and output lines).</summary>
    public CapturedLogs Logs { get; }

    /// <summary>Gets the settings the app was started with.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Gets the vendor servers by the key they were added with.</summary>
    public IReadOnlyDictionary<string, VendorServer> Vendors { get; }

    /// <summary>Gets the server's services (the worker runs in another process).</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The Functions worker runs in another process.");

    /// <summary>Gets the host stand-in running the worker (null for the server).</summary>
    public FunctionsHostStandIn? StandIn { get; init; }

    /// <summary>Stops the app and the vendor servers it started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Client.Dispose();
        await _stop();
        foreach (var vendor in _ownedVendors)
        {
            await vendor.DisposeAsync();
        }
    }
}
