using System.Globalization;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>Many concurrent first calls for one customer end with exactly one vendor-side resource.</summary>
[Collection(ReliabilitySuite.Name)]
public sealed class ConcurrencyTests(ReliabilityReport report) : IAsyncLifetime
{
    private const int Concurrent = 16;
    private ReliabilityEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ReliabilityEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Alloy_ConcurrentFirstCalls_CreateOneUser()
    {
        var bearer = _env.Bearer("org_race_alloy");

        var results = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ =>
            _env.SendAsync(HttpExtensions.Post("/api/alloy/token", bearer))));

        var ok = results.Count(r => r.Response.StatusCode == HttpStatusCode.OK);
        var users = _env.Alloy.Users.Count(u => u.Username.Contains("org_5frace_5falloy", StringComparison.Ordinal));
        Record("POST /api/alloy/token", "Alloy users", ok, users);
        Assert.Equal(Concurrent, ok);
        Assert.Equal(1, users);
        _env.AssertNoLeaks(report, "concurrency: Alloy");
    }

    [Fact]
    public async Task Fivetran_ConcurrentFirstCalls_CreateOneConnection()
    {
        var bearer = _env.Bearer("org_race_fivetran");
        var body = ReliabilityRoutes.Post.Single(r => r.Vendor == "fivetran").ValidBody;

        var results = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ =>
            _env.SendAsync(HttpExtensions.Post("/api/fivetran/connect-card", bearer, body))));

        var ok = results.Count(r => r.Response.StatusCode == HttpStatusCode.OK);
        var connections = _env.Fivetran.Connections.Count;
        Record("POST /api/fivetran/connect-card", "Fivetran connections", ok, connections);
        Assert.Equal(Concurrent, ok);
        Assert.Equal(1, connections);
        Assert.Equal(1, results.Count(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("created").GetBoolean()));
        _env.AssertNoLeaks(report, "concurrency: Fivetran");
    }

    [Fact]
    public async Task Polytomic_ConcurrentRetriesWithOneIdempotencyKey_StartOneSession()
    {
        var bearer = _env.Bearer("org_race_poly");
        var body = ReliabilityRoutes.Post.Single(r => r.Vendor == "polytomic").ValidBody;

        var results = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ =>
        {
            var request = HttpExtensions.Post("/api/polytomic/connect", bearer, body);
            request.Headers.Add("Idempotency-Key", "spa-retry-1");
            return _env.SendAsync(request);
        }));

        var ok = results.Count(r => r.Response.StatusCode == HttpStatusCode.OK);
        var conflicts = results.Count(r => r.Response.StatusCode == HttpStatusCode.Conflict);
        var sessions = _env.Polytomic.Sessions.Count;
        Record("POST /api/polytomic/connect (same Idempotency-Key)", "Polytomic sessions", ok, sessions, conflicts);
        Assert.Equal(Concurrent, ok + conflicts);
        Assert.True(ok >= 1);
        Assert.Equal(1, sessions);
        var urls = results.Where(r => r.Response.StatusCode == HttpStatusCode.OK).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("url").GetString()).Distinct().Count();
        Assert.Equal(1, urls);
        _env.AssertNoLeaks(report, "concurrency: Polytomic");
    }

    private void Record(string route, string resource, int ok, int created, int conflicts = 0) =>
        report.Add(
            "3 Concurrent first calls for one customer",
            ["route", "concurrent requests", "200", "409 (retry shortly)", "other", "vendor resources created", "resource"],
            route, Concurrent.ToString(CultureInfo.InvariantCulture), ok.ToString(CultureInfo.InvariantCulture),
            conflicts.ToString(CultureInfo.InvariantCulture), (Concurrent - ok - conflicts).ToString(CultureInfo.InvariantCulture),
            created.ToString(CultureInfo.InvariantCulture), resource);
}
