using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>
/// What the two-host environments share: the loopback OpenID issuer, each vendor simulation on a loopback server of its
/// own, the secrets as <c>Secrets:*</c> settings (the worker runs in another process, so the in-process Key Vault fake
/// cannot reach it), and the app on both hosts at once with those settings. An environment creates it, starts its
/// vendors, adds its own settings to <see cref="Settings"/> and starts the apps; disposing stops the apps, then the vendors.
/// </summary>
internal sealed class TwoHostFixture : IAsyncDisposable
{
    private readonly Dictionary<HostKind, RunningApp> _apps = [];
    private readonly List<VendorServer> _vendors = [];

    private TwoHostFixture(FakeOidcIssuer issuer, IReadOnlyDictionary<string, string> secretValues)
    {
        Issuer = issuer;
        Settings = issuer.Settings();
        foreach (var (name, value) in secretValues)
        {
            Settings[$"Secrets:{name}"] = value;
        }
    }

    public FakeOidcIssuer Issuer { get; }

    /// <summary>Gets the settings both hosts start with: the issuer's, the secrets, the vendors' base URLs and the environment's own.</summary>
    public Dictionary<string, string?> Settings { get; }

    /// <summary>A fixture on the shared issuer, with <paramref name="secretValues"/> (by secret name) as settings.</summary>
    public static async Task<TwoHostFixture> CreateAsync(IReadOnlyDictionary<string, string> secretValues) =>
        new(await FakeOidcIssuer.SharedAsync(), secretValues);

    public static string NewCustomerId() => "org_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Serves <paramref name="simulation"/> on a loopback server of its own and points <paramref name="baseUrlSetting"/> at it.</summary>
    public async Task<VendorServer> StartVendorAsync(IVendorSimulation simulation, string baseUrlSetting)
    {
        var server = await VendorServer.StartAsync(simulation);
        _vendors.Add(server);
        Settings[baseUrlSetting] = server.BaseUrl;
        return server;
    }

    /// <summary>Starts the app on both hosts at once with <see cref="Settings"/>.</summary>
    /// <summary>Starts both hosts at once; if one fails to start, the other is stopped before the failure is thrown.</summary>
    public async Task StartAppsAsync()
    {
        var starting = TestApp.Hosts.Select(kind => TestApp.For(kind).WithSettings(Settings).StartAsync()).ToArray();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var start in starting.Where(start => start.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            throw;
        }

        foreach (var start in starting)
        {
            _apps[start.Result.Kind] = start.Result;
        }
    }

    public RunningApp App(HostKind kind) => _apps[kind];

    /// <summary>A bearer token of a fresh user of <paramref name="customerId"/> (<c>org_id</c>) named <paramref name="name"/>, with <paramref name="roles"/> if any.</summary>
    public string Bearer(string customerId, string name, string[] roles)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "user-" + Guid.NewGuid().ToString("N"),
            ["org_id"] = customerId,
            ["name"] = name,
        };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return Issuer.CreateToken(claims);
    }

    public async ValueTask DisposeAsync()
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
}
