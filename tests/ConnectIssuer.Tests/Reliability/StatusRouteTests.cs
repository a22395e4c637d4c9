using System.Globalization;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>Fuzzed connection ids and headers on the GET status route: 401/404 problems only, never a 5xx, never another customer's data.</summary>
[Collection(ReliabilitySuite.Name)]
public sealed class StatusRouteTests(ReliabilityReport report) : IAsyncLifetime
{
    private ReliabilityEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ReliabilityEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Status_FuzzedIdsAndOtherCustomersConnection_Return404Problems()
    {
        var owner = _env.Bearer("org_owner");
        var created = await _env.SendAsync(HttpExtensions.Post("/api/fivetran/connect-card", owner, ReliabilityRoutes.Post.Single(r => r.Vendor == "fivetran").ValidBody));
        var connectionId = JsonDocument.Parse(created.Body).RootElement.GetProperty("connectionId").GetString()!;
        var intruder = _env.Bearer("org_intruder");
        var random = new Random(7);
        var ids = new List<string> { connectionId, "", "..", "%2e%2e", "a/b", new('x', 5000), "ä", "<script>", "null", "0", "-1", connectionId.ToUpperInvariant(), connectionId + " ", "%00" };
        for (var i = 0; i < 30; i++)
        {
            ids.Add(string.Concat(Enumerable.Range(0, random.Next(1, 80)).Select(_ => (char)random.Next(33, 127))));
        }

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var serverErrors = 0;
        foreach (var id in ids)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/fivetran/connections/" + Uri.EscapeDataString(id));
            request.Headers.Authorization = new("Bearer", intruder);
            var (response, body) = await _env.SendAsync(request);
            var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()
                : "(not a problem document)";
            var outcome = $"{(int)response.StatusCode} {code}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            serverErrors += (int)response.StatusCode >= 500 ? 1 : 0;
            Assert.DoesNotContain("org_owner", body, StringComparison.Ordinal);
        }

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/fivetran/connections/" + connectionId);
        var unauthenticated = await _env.SendAsync(anonymous);

        report.Add(
            "1 Malformed input per route",
            ["route", "category", "cases", "outcomes", "5xx", "vendor calls"],
            "/api/fivetran/connections/{id}", "fuzzed and foreign ids (another customer's caller)",
            ids.Count.ToString(CultureInfo.InvariantCulture), string.Join(", ", outcomes.Select(o => $"{o.Key} ×{o.Value}")),
            serverErrors.ToString(CultureInfo.InvariantCulture), "-");
        Assert.Equal(0, serverErrors);
        Assert.All(outcomes.Keys, o => Assert.True(o is "404 not_found" or "400 invalid_request", o));
        await unauthenticated.Response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        _env.AssertNoLeaks(report, "status route fuzz");
    }
}
