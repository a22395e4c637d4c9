using ConnectIssuer.Secrets;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>
/// One production-like configuration, served by both hosts at once: Oidc callers from a loopback issuer,
/// every vendor against its simulation on a loopback server, secrets from settings (the worker runs in
/// another process, so the in-process Key Vault fake cannot reach it). Each test names its own customer,
/// so the per-customer rate limit of one test never touches another.
/// </summary>
public sealed class TwoHostEnvironment : IAsyncLifetime
{
    public const string AllowedOrigin = "https://app.example.com";
    public const string FivetranGroup = "two_hosts_group";
    public const int PermitsPerMinute = 5;

    /// <summary>Gets every secret value configured, for the leak scans.</summary>
    public static IReadOnlyDictionary<string, string> SecretValues { get; } = new Dictionary<string, string>
    {
        [SecretNames.IntegrationAppWorkspaceSecret] = "two-hosts-workspace-secret-5f0c2a91d3",
        [SecretNames.AlloyApiKey] = "two-hosts-alloy-key-7d11e0",
        [SecretNames.PolytomicApiKey] = "two-hosts-polytomic-key-42c9aa",
        [SecretNames.FivetranApiKey] = "two-hosts-fivetran-key-93b1",
        [SecretNames.FivetranApiSecret] = "two-hosts-fivetran-secret-0e6f27",
    };

    private readonly Dictionary<HostKind, RunningApp> _apps = [];
    private readonly List<VendorServer> _vendors = [];

    internal FakeOidcIssuer Issuer { get; private set; } = null!;

    internal FivetranSimulation Fivetran { get; private set; } = null!;

    /// <summary>Gets the fake Polytomic server, for fault injection (tests in one class run one at a time).</summary>
    internal VendorServer PolytomicServer { get; private set; } = null!;

    internal IReadOnlyDictionary<string, string?> Settings { get; private set; } = null!;

    internal RunningApp App(HostKind kind) => _apps[kind];

    /// <summary>A bearer token for a customer of its own (a fresh id per call unless given).</summary>
    internal string Bearer(string? customerId = null, params string[] roles)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "user-" + Guid.NewGuid().ToString("N"),
            ["org_id"] = customerId ?? NewCustomerId(),
            ["name"] = "Two Hosts Co",
        };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return Issuer.CreateToken(claims);
    }

    internal static string NewCustomerId() => "org_" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        Issuer = await FakeOidcIssuer.SharedAsync();
        Fivetran = new FivetranSimulation(SecretValues[SecretNames.FivetranApiKey], SecretValues[SecretNames.FivetranApiSecret], [FivetranGroup]);
        var alloy = await StartVendorAsync(new AlloySimulation(SecretValues[SecretNames.AlloyApiKey]));
        var polytomic = PolytomicServer = await StartVendorAsync(new PolytomicSimulation(SecretValues[SecretNames.PolytomicApiKey]));
        var fivetran = await StartVendorAsync(Fivetran);

        var settings = Issuer.Settings();
        foreach (var (name, value) in SecretValues)
        {
            settings[$"Secrets:{name}"] = value;
        }

        settings["RateLimit:PermitsPerMinute"] = PermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AllowedOrigins:0"] = AllowedOrigin;
        settings["IntegrationApp:WorkspaceKey"] = "two-hosts-workspace";
        settings["Alloy:BaseUrl"] = alloy.BaseUrl;
        settings["Alloy:UsernamePrefix"] = "two.";
        settings["Vendors:Timeout"] = "00:00:05";
        settings["Fivetran:BaseUrl"] = fivetran.BaseUrl;
        settings["Fivetran:GroupId"] = FivetranGroup;
        settings["Fivetran:AllowedServices:0"] = "salesforce";
        settings["Polytomic:BaseUrl"] = polytomic.BaseUrl;
        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        Settings = settings;

        var started = await Task.WhenAll(TestApp.Hosts.Select(kind => TestApp.For(kind).WithSettings(settings).StartAsync()));
        foreach (var app in started)
        {
            _apps[app.Kind] = app;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps.Values)
        {
            await app.DisposeAsync();
        }

        foreach (var vendor in _vendors)
        {
            await vendor.DisposeAsync();
        }
    }

    private async Task<VendorServer> StartVendorAsync(IVendorSimulation simulation)
    {
        var server = await VendorServer.StartAsync(simulation);
        _vendors.Add(server);
        return server;
    }
}
