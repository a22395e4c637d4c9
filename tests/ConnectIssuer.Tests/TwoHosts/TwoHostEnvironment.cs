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

    private TwoHostFixture? _hosts;

    internal FakeOidcIssuer Issuer => Hosts.Issuer;

    internal FivetranSimulation Fivetran { get; private set; } = null!;

    /// <summary>Gets the fake Polytomic server, for fault injection (tests in one class run one at a time).</summary>
    internal VendorServer PolytomicServer { get; private set; } = null!;

    internal IReadOnlyDictionary<string, string?> Settings => Hosts.Settings;

    private TwoHostFixture Hosts => _hosts ?? throw new InvalidOperationException("The environment has not started.");

    internal RunningApp App(HostKind kind) => Hosts.App(kind);

    /// <summary>A bearer token for a customer of its own (a fresh id per call unless given).</summary>
    internal string Bearer(string? customerId = null, params string[] roles) => Hosts.Bearer(customerId ?? NewCustomerId(), "Two Hosts Co", roles);

    internal static string NewCustomerId() => TwoHostFixture.NewCustomerId();

    public async Task InitializeAsync()
    {
        var hosts = _hosts = await TwoHostFixture.CreateAsync(SecretValues);
        Fivetran = new FivetranSimulation(SecretValues[SecretNames.FivetranApiKey], SecretValues[SecretNames.FivetranApiSecret], [FivetranGroup]);
        await hosts.StartVendorAsync(new AlloySimulation(SecretValues[SecretNames.AlloyApiKey]), "Alloy:BaseUrl");
        PolytomicServer = await hosts.StartVendorAsync(new PolytomicSimulation(SecretValues[SecretNames.PolytomicApiKey]), "Polytomic:BaseUrl");
        await hosts.StartVendorAsync(Fivetran, "Fivetran:BaseUrl");

        var settings = hosts.Settings;
        settings["RateLimit:PermitsPerMinute"] = PermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AllowedOrigins:0"] = AllowedOrigin;
        settings["IntegrationApp:WorkspaceKey"] = "two-hosts-workspace";
        settings["Alloy:UsernamePrefix"] = "two.";
        settings["Vendors:Timeout"] = "00:00:05";
        settings["Fivetran:GroupId"] = FivetranGroup;
        settings["Fivetran:AllowedServices:0"] = "salesforce";
        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        await hosts.StartAppsAsync();
    }

    public async Task DisposeAsync() => await (_hosts?.DisposeAsync() ?? ValueTask.CompletedTask);
}
