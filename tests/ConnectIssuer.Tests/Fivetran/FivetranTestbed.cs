using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary>The Fivetran vocabulary over a <see cref="TestApp"/>: the server with the Fivetran simulation, caller tokens and requests.</summary>
internal sealed class FivetranTestbed : IAsyncDisposable
{
    public const string ApiKey = "ft-key-0123456789abcdef";
    public const string ApiSecret = "ft-secret-fedcba9876543210fedcba";
    public const string GroupId = "decent_dropsy";
    public const string Redirect = "https://app.example.com/integrations/done";

    private FivetranTestbed(FakeOidcIssuer issuer, FivetranSimulation simulation, RunningApp server)
    {
        Issuer = issuer;
        Simulation = simulation;
        Server = server;
    }

    public FakeOidcIssuer Issuer { get; }

    public FivetranSimulation Simulation { get; }

    public VendorServer Vendor => Server.Vendors["Fivetran"];

    public RunningApp Server { get; }

    /// <summary>
    /// Starts the server with the Fivetran settings (plus <paramref name="overrides"/>) and the simulation on a loopback server
    /// that stops with it, or <paramref name="vendor"/> (a server of the test's own, serving <paramref name="simulation"/>).
    /// </summary>
    public static async Task<FivetranTestbed> StartAsync(
        FakeOidcIssuer issuer, Dictionary<string, string?>? overrides = null, FivetranSimulation? simulation = null, VendorServer? vendor = null)
    {
        simulation ??= new FivetranSimulation(ApiKey, ApiSecret, [GroupId, "other_group"]);
        var app = TestApp.For(HostKind.Server).WithSettings(Settings(issuer, baseUrl: null, overrides));
        var server = await (vendor is null ? app.WithVendor("Fivetran", simulation) : app.WithVendor("Fivetran", vendor)).StartAsync();
        return new FivetranTestbed(issuer, simulation, server);
    }

    /// <summary>The Fivetran settings with the API at <paramref name="vendor"/>, for a server of the test's own.</summary>
    public static Dictionary<string, string?> Settings(FakeOidcIssuer issuer, VendorServer vendor, Dictionary<string, string?>? overrides = null)
        => Settings(issuer, vendor.BaseUrl, overrides);

    private static Dictionary<string, string?> Settings(FakeOidcIssuer issuer, string? baseUrl, Dictionary<string, string?>? overrides)
    {
        var settings = issuer.Settings();
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["AllowedOrigins:1"] = "https://localhost:5173";
        if (baseUrl is not null)
        {
            settings["Fivetran:BaseUrl"] = baseUrl;
        }

        settings["Fivetran:GroupId"] = GroupId;
        settings["Fivetran:AllowedServices:0"] = "salesforce";
        settings["Fivetran:AllowedServices:1"] = "hubspot";
        settings["Fivetran:AllowedServices:2"] = "postgres";
        settings["Secrets:FivetranApiKey"] = ApiKey;
        settings["Secrets:FivetranApiSecret"] = ApiSecret;
        foreach (var (key, value) in overrides ?? [])
        {
            // null removes the setting (a null value would still bind, e.g. as an array element).
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    public string Bearer(string customerId) =>
        Issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-" + customerId, ["org_id"] = customerId });

    public Task<HttpResponseMessage> ConnectCardJsonAsync(string customerId, string json) =>
        Server.Client.SendAsync(HttpExtensions.Post("/api/fivetran/connect-card", Bearer(customerId), json));

    public Task<HttpResponseMessage> ConnectCardAsync(string customerId, string service = "salesforce", string? redirectUri = Redirect) =>
        ConnectCardJsonAsync(customerId, JsonSerializer.Serialize(new { service, redirectUri }));

    public Task<HttpResponseMessage> StatusAsync(string customerId, string connectionId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/fivetran/connections/" + connectionId);
        request.Headers.Authorization = new("Bearer", Bearer(customerId));
        return Server.Client.SendAsync(request);
    }

    /// <summary>Fails when a secret, a token the simulation issued, or a raw vendor body shows up in the logs.</summary>
    public void AssertNoLeaks()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ApiKey}:{ApiSecret}"));
        Server.Logs.AssertNoneContain([ApiKey, ApiSecret, basic, .. Simulation.IssuedTokens, "vendor-raw-body-marker"]);
        Assert.DoesNotContain(Server.Logs.Lines, l => l.Contains("connect-card/setup", StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
