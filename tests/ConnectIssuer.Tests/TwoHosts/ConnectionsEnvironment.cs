using System.Globalization;
using ConnectIssuer.Alloy;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Polytomic;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>
/// Both hosts with one configuration for the connections routes: Oidc callers from a loopback issuer, all four vendors
/// against their simulations on loopback servers (Membrane included, checking customer tokens with the workspace secret),
/// four allowed Fivetran services (one connection per service and customer), <c>Auth:DisconnectRole</c> set, and a
/// <c>Vendors:Timeout</c> of 5 s: short enough that a hanging vendor costs the tests little, long enough that a healthy
/// vendor's cold first listing (two sequential Alloy calls) fits in it on a loaded machine.
/// </summary>
public sealed class ConnectionsEnvironment : IAsyncLifetime
{
    public const string FivetranGroup = "connections_group";
    public const string DisconnectRole = "connections-editor";
    public const string WorkspaceKey = "connections-workspace";
    public const string SchemaPrefix = "ci_";
    public const string NamePrefix = "ci.";
    public const string UsernamePrefix = "conn.";
    public const int PermitsPerMinute = 12;
    public static readonly TimeSpan VendorTimeout = TimeSpan.FromSeconds(5);
    public static readonly string[] FivetranServices = ["salesforce", "hubspot", "stripe", "zendesk"];

    public static IReadOnlyDictionary<string, string> SecretValues { get; } = new Dictionary<string, string>
    {
        [SecretNames.IntegrationAppWorkspaceSecret] = "connections-workspace-secret-8a1f0c77e2",
        [SecretNames.AlloyApiKey] = "connections-alloy-key-51be02",
        [SecretNames.PolytomicApiKey] = "connections-polytomic-key-9d3e11",
        [SecretNames.FivetranApiKey] = "connections-fivetran-key-0c4d",
        [SecretNames.FivetranApiSecret] = "connections-fivetran-secret-77aa19",
    };

    private TwoHostFixture? _hosts;

    internal FakeOidcIssuer Issuer => Hosts.Issuer;

    internal FivetranSimulation Fivetran { get; private set; } = null!;

    internal PolytomicSimulation Polytomic { get; private set; } = null!;

    internal AlloySimulation Alloy { get; private set; } = null!;

    internal MembraneSimulation Membrane { get; private set; } = null!;

    /// <summary>Gets the fake vendor servers by route-style vendor name, for request counts and faults.</summary>
    internal IReadOnlyDictionary<string, VendorServer> Servers { get; private set; } = null!;

    private TwoHostFixture Hosts => _hosts ?? throw new InvalidOperationException("The environment has not started.");

    internal RunningApp App(HostKind kind) => Hosts.App(kind);

    /// <summary>A bearer token for <paramref name="customerId"/> with <paramref name="roles"/>.</summary>
    internal string Bearer(string customerId, params string[] roles) => Hosts.Bearer(customerId, "Connections Co", roles);

    /// <summary>A bearer token of a customer's user who may disconnect (has <see cref="DisconnectRole"/>).</summary>
    internal string Editor(string customerId) => Bearer(customerId, DisconnectRole);

    internal static string NewCustomerId() => TwoHostFixture.NewCustomerId();

    /// <summary>Gets every request any fake vendor received so far.</summary>
    internal int VendorRequestCount => Servers.Values.Sum(s => s.Requests.Count);

    /// <summary>
    /// Seeds one customer's connections at every vendor, in every state each vendor can express, and returns the expected
    /// listing as <c>vendor/id/kind/status</c> strings (archived ones are not in it).
    /// </summary>
    internal SeededCustomer Seed(string customerId)
    {
        var expected = new List<string>();
        var ids = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Expect(string vendor, string id, string kind, string status)
        {
            expected.Add($"{vendor}/{id}/{kind}/{status}");
            (ids.TryGetValue(vendor, out var list) ? list : ids[vendor] = []).Add(id);
        }

        (SimulatedConnectionState State, string Status)[] fivetranStates =
        [
            (SimulatedConnectionState.Healthy, "connected"),
            (SimulatedConnectionState.Broken, "broken"),
            (SimulatedConnectionState.Pending, "pending"),
            (SimulatedConnectionState.Paused, "paused"),
        ];
        for (var i = 0; i < FivetranServices.Length; i++)
        {
            var service = FivetranServices[i];
            var id = Fivetran.SeedConnection(FivetranGroup, service, FivetranSchemaName.For(SchemaPrefix, customerId, service), fivetranStates[i].State);
            Expect("fivetran", id, service, fivetranStates[i].Status);
        }

        var crm = Polytomic.AddConnection(PolytomicConnectionName.For(NamePrefix, customerId, "CRM"), "salesforce", SimulatedConnectionState.Healthy);
        Expect("polytomic", crm.Id, "salesforce", "connected");
        var warehouse = Polytomic.AddConnection(PolytomicConnectionName.For(NamePrefix, customerId, null), "hubspot", SimulatedConnectionState.Broken);
        Expect("polytomic", warehouse.Id, "hubspot", "broken");

        var username = AlloyUsername.For(UsernamePrefix, customerId);
        Alloy.AddUser(username, "Connections Co");
        foreach (var type in (string[])["slack", "shopify"])
        {
            var credential = Alloy.AddCredential(username, type);
            Expect("alloy", credential.CredentialId, type, "connected");
        }

        (SimulatedConnectionState State, string? Status)[] membraneStates =
        [
            (SimulatedConnectionState.Healthy, "connected"),
            (SimulatedConnectionState.Broken, "broken"),
            (SimulatedConnectionState.Pending, "pending"),
            (SimulatedConnectionState.Archived, null),
        ];
        foreach (var (state, status) in membraneStates)
        {
            var connection = Membrane.SeedConnection(customerId, "hubspot", state, "HubSpot " + state);
            if (status is not null)
            {
                Expect("integration-app", connection.Id, "hubspot", status);
            }
        }

        return new SeededCustomer(customerId, expected, ids);
    }

    public async Task InitializeAsync()
    {
        var hosts = _hosts = await TwoHostFixture.CreateAsync(SecretValues);
        Fivetran = new FivetranSimulation(SecretValues[SecretNames.FivetranApiKey], SecretValues[SecretNames.FivetranApiSecret], [FivetranGroup]);
        Polytomic = new PolytomicSimulation(SecretValues[SecretNames.PolytomicApiKey]);
        Alloy = new AlloySimulation(SecretValues[SecretNames.AlloyApiKey]);
        Membrane = new MembraneSimulation(SecretValues[SecretNames.IntegrationAppWorkspaceSecret], WorkspaceKey);
        Servers = new Dictionary<string, VendorServer>(StringComparer.Ordinal)
        {
            ["integration-app"] = await hosts.StartVendorAsync(Membrane, "IntegrationApp:ApiBaseUrl"),
            ["alloy"] = await hosts.StartVendorAsync(Alloy, "Alloy:BaseUrl"),
            ["fivetran"] = await hosts.StartVendorAsync(Fivetran, "Fivetran:BaseUrl"),
            ["polytomic"] = await hosts.StartVendorAsync(Polytomic, "Polytomic:BaseUrl"),
        };

        var settings = hosts.Settings;
        settings["RateLimit:PermitsPerMinute"] = PermitsPerMinute.ToString(CultureInfo.InvariantCulture);
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["Auth:DisconnectRole"] = DisconnectRole;
        settings["Vendors:Timeout"] = VendorTimeout.ToString("c", CultureInfo.InvariantCulture);
        settings["IntegrationApp:WorkspaceKey"] = WorkspaceKey;
        settings["Alloy:UsernamePrefix"] = UsernamePrefix;
        settings["Fivetran:GroupId"] = FivetranGroup;
        for (var i = 0; i < FivetranServices.Length; i++)
        {
            settings[$"Fivetran:AllowedServices:{i}"] = FivetranServices[i];
        }

        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        await hosts.StartAppsAsync();
    }

    public async Task DisposeAsync() => await (_hosts?.DisposeAsync() ?? ValueTask.CompletedTask);
}

/// <summary>A seeded customer: its id, the expected listing (<c>vendor/id/kind/status</c>) and its ids per vendor.</summary>
internal sealed record SeededCustomer(string CustomerId, IReadOnlyList<string> Expected, IReadOnlyDictionary<string, List<string>> Ids);
