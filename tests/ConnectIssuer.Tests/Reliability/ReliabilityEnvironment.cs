using ConnectIssuer.Secrets;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>
/// Everything configured at once, as in production: Oidc callers from a loopback issuer, secrets from
/// Key Vault (the real SecretClient against a fake vault endpoint), every vendor against its
/// simulation on its own loopback server. Every response body and log line is kept for the leak scan. The server runs
/// on <see cref="Clock"/> (a fake clock), so no test waits on a real deadline; the client's timeout only guards hangs.
/// </summary>
internal sealed class ReliabilityEnvironment : IAsyncDisposable
{
    /// <summary>
    /// Gets <c>Vendors:Timeout</c>, on <see cref="Clock"/>, where reaching it costs no real time. It is longer than
    /// <see cref="Eventually.HangGuard"/>: a deadline that ran on the real clock would fail a test instead of passing slowly.
    /// </summary>
    public static readonly TimeSpan VendorTimeout = TimeSpan.FromSeconds(90);

    public const string AllowedOrigin = "https://app.example.com";

    private readonly List<string> _responses = [];
    private readonly List<string> _minted = [];

    private ReliabilityEnvironment(FakeOidcIssuer issuer, FakeKeyVault vault, ReliabilityClock clock, RunningApp server)
    {
        Issuer = issuer;
        Vault = vault;
        Clock = clock;
        Server = server;
    }

    public FakeOidcIssuer Issuer { get; }

    public FakeKeyVault Vault { get; }

    /// <summary>Gets the server's <see cref="TimeProvider"/>: vendor deadlines and retry delays, minted tokens' lifetimes, rate-limit refill, the secret cache.</summary>
    public ReliabilityClock Clock { get; }

    public RunningApp Server { get; }

    /// <summary>Gets the fake vendor servers by vendor key (<c>alloy</c>, …).</summary>
    public IReadOnlyDictionary<string, VendorServer> Vendors => Server.Vendors;

    public AlloySimulation Alloy { get; private init; } = null!;

    public PolytomicSimulation Polytomic { get; private init; } = null!;

    public FivetranSimulation Fivetran { get; private init; } = null!;

    /// <summary>Gets every secret value configured, for the leak scan.</summary>
    public static IReadOnlyDictionary<string, string> SecretValues { get; } = new Dictionary<string, string>
    {
        [SecretNames.IntegrationAppWorkspaceSecret] = "rel-integration-app-workspace-secret-7c1f",
        [SecretNames.AlloyApiKey] = "rel-alloy-api-key-0b9e44d1",
        [SecretNames.PolytomicApiKey] = "rel-polytomic-api-key-5a7730c2",
        [SecretNames.FivetranApiKey] = "rel-fivetran-key-2c41",
        [SecretNames.FivetranApiSecret] = "rel-fivetran-secret-9d03e7aa",
    };

    public const string FivetranGroup = "rel_group";

    public int VendorCalls => Vendors.Values.Sum(v => v.Requests.Count);

    public static async Task<ReliabilityEnvironment> StartAsync(int permitsPerMinute = 100_000)
    {
        var issuer = await FakeOidcIssuer.SharedAsync();
        var vault = new FakeKeyVault();
        foreach (var (name, value) in SecretValues)
        {
            vault.Secrets[name] = value;
        }

        var alloy = new AlloySimulation(SecretValues[SecretNames.AlloyApiKey]);
        var polytomic = new PolytomicSimulation(SecretValues[SecretNames.PolytomicApiKey]);
        var fivetran = new FivetranSimulation(SecretValues[SecretNames.FivetranApiKey], SecretValues[SecretNames.FivetranApiSecret], [FivetranGroup]);
        var clock = new ReliabilityClock();
        var settings = issuer.Settings();
        settings["KeyVault:Uri"] = vault.VaultUri.AbsoluteUri;
        settings["Vendors:Timeout"] = VendorTimeout.ToString();
        settings["RateLimit:PermitsPerMinute"] = permitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AllowedOrigins:0"] = AllowedOrigin;
        settings["IntegrationApp:WorkspaceKey"] = "rel-workspace";
        settings["Alloy:UsernamePrefix"] = "rel.";
        settings["Fivetran:GroupId"] = FivetranGroup;
        settings["Fivetran:AllowedServices:0"] = "salesforce";
        settings["Fivetran:AllowedServices:1"] = "hubspot";
        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        settings["Polytomic:AllowedTypes:1"] = "hubspot";
        var server = await TestApp.For(HostKind.Server)
            .WithSettings(settings)
            .WithVendor("Fivetran", fivetran)
            .WithVendor("Alloy", alloy)
            .WithVendor("Polytomic", polytomic)
            .WithServices(s =>
            {
                s.AddSingleton(vault.CreateClient());
                s.AddSingleton<TimeProvider>(clock);
            })
            .StartAsync();

        // A hang guard, not a speed claim: a request that never gets an answer fails the test instead of stalling it.
        server.Client.Timeout = Eventually.HangGuard;
        return new ReliabilityEnvironment(issuer, vault, clock, server) { Alloy = alloy, Polytomic = polytomic, Fivetran = fivetran };
    }

    public string Bearer(string customerId = "org_rel", string? name = "Reliability Co") => Issuer.CreateToken(new Dictionary<string, object>
    {
        ["sub"] = "user-" + customerId,
        ["org_id"] = customerId,
        ["name"] = name ?? "",
    });

    /// <summary>Sends and keeps the response body (and any minted token) for the leak scan.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpRequestMessage request)
    {
        var response = await Server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        lock (_responses)
        {
            _responses.Add(body);
            if (response.IsSuccessStatusCode && body.StartsWith('{') && JsonDocument.Parse(body).RootElement.TryGetProperty("token", out var token))
            {
                _minted.Add(token.GetString()!);
            }
        }

        return (response, body);
    }

    /// <summary>Counts hits of configured secrets and minted tokens in every log line and every response body.</summary>
    public (int LogHits, int ResponseHits, int Minted) ScanForLeaks()
    {
        lock (_responses)
        {
            var needles = SecretValues.Values.Concat(_minted).ToList();
            var logHits = Server.Logs.Entries.Count(entry => needles.Any(n => entry.Everything.Contains(n, StringComparison.Ordinal)));
            var responseHits = _responses.Count(body => SecretValues.Values.Any(s => body.Contains(s, StringComparison.Ordinal))
                || body.Contains("vendor-raw-body-marker", StringComparison.Ordinal)
                || body.Contains(FakeKeyVault.ErrorBodyMarker, StringComparison.Ordinal));
            return (logHits, responseHits, _minted.Count);
        }
    }

    /// <summary>Scans, records the figures under <paramref name="suite"/> and fails on any hit.</summary>
    public void AssertNoLeaks(ReliabilityReport report, string suite)
    {
        var (logHits, responseHits, minted) = ScanForLeaks();
        int responses;
        lock (_responses)
        {
            responses = _responses.Count;
        }

        report.Add(
            "5 Leak scan",
            ["suite", "log lines", "responses", "tokens minted", "secret/token hits in logs", "secret/vendor-body hits in responses"],
            suite,
            Server.Logs.Lines.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            responses.ToString(System.Globalization.CultureInfo.InvariantCulture),
            minted.ToString(System.Globalization.CultureInfo.InvariantCulture),
            logHits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            responseHits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, logHits);
        Assert.Equal(0, responseHits);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Vault.Dispose();
    }
}
