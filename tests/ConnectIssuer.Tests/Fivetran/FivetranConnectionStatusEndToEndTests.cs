using ConnectIssuer.Fivetran;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary><c>GET /api/fivetran/connections/{connectionId}</c>: ownership by recomputed schema, one 404 for everything not owned.</summary>
public sealed class FivetranConnectionStatusEndToEndTests(FivetranFixture fixture) : IClassFixture<FivetranFixture>
{
    private FivetranTestbed Shared => fixture.Shared;

    [Fact]
    public async Task Status_OwnConnection_ReturnsServiceAndStates()
    {
        var card = await (await Shared.ConnectCardAsync("org_status_own", "hubspot")).ReadJsonAsync();
        var id = card.GetProperty("connectionId").GetString()!;

        var response = await Shared.StatusAsync("org_status_own", id);

        var body = await response.ReadJsonAsync();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(
            $$"""{"vendor":"fivetran","connectionId":"{{id}}","service":"hubspot","setupState":"incomplete","syncState":"scheduled"}""",
            body.GetRawText());
        Assert.Equal($"/v1/connections/{id}", Shared.Vendor.Requests.Last().PathAndQuery);

        Shared.Simulation.SetState(id, "connected", "syncing");
        var later = await (await Shared.StatusAsync("org_status_own", id)).ReadJsonAsync();
        Assert.Equal("connected", later.GetProperty("setupState").GetString());
        Assert.Equal("syncing", later.GetProperty("syncState").GetString());
    }

    [Fact]
    public async Task Status_AfterTheConnectCardIsCompleted_ReportsConnected()
    {
        var card = await (await Shared.ConnectCardAsync("org_status_flow")).ReadJsonAsync();
        using var browser = new HttpClient();
        var page = await browser.GetStringAsync(card.GetProperty("url").GetString());
        Assert.Contains("Connect Card", page, StringComparison.Ordinal);

        var completed = await browser.PostAsync(
            new Uri(new Uri(Shared.Vendor.BaseUrl), "/connect-card/complete"),
            new FormUrlEncodedContent([new("auth", card.GetProperty("token").GetString()!)]));

        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        var status = await (await Shared.StatusAsync("org_status_flow", card.GetProperty("connectionId").GetString()!)).ReadJsonAsync();
        Assert.Equal("connected", status.GetProperty("setupState").GetString());
    }

    [Fact]
    public async Task Status_AnotherCustomersConnection_Returns404LikeAnUnknownOne()
    {
        var card = await (await Shared.ConnectCardAsync("org_victim")).ReadJsonAsync();
        var id = card.GetProperty("connectionId").GetString()!;

        var foreign = await Shared.StatusAsync("org_thief", id);
        var unknown = await Shared.StatusAsync("org_thief", "no_such_connection");

        var foreignProblem = await foreign.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var unknownProblem = await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(unknownProblem.GetProperty("detail").GetString(), foreignProblem.GetProperty("detail").GetString());
        Assert.Equal(unknownProblem.GetProperty("title").GetString(), foreignProblem.GetProperty("title").GetString());
        Assert.DoesNotContain("salesforce", foreignProblem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a_b", "salesforce", "a", "b_salesforce")]
    [InlineData("a_b", "salesforce", "a", "salesforce")]
    [InlineData("org", "salesforce", "Org", "salesforce")]
    [InlineData("a/b", "salesforce", "a%2Fb", "salesforce")]
    [InlineData("7_org__42", "salesforce", "org_42", "salesforce")]
    public async Task Status_CustomerIdCraftedToCollide_Returns404(string owner, string ownerService, string attacker, string seededService)
    {
        // The connection carries the owner's schema; the attacker's id (with the connection's, possibly different, service)
        // would collide with it under a naive prefix + id + "_" + service naming.
        var schema = FivetranSchemaName.For("ci_", owner, ownerService);
        var id = Shared.Simulation.SeedConnection(FivetranTestbed.GroupId, seededService, schema);

        var response = await Shared.StatusAsync(attacker, id);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        if (seededService == ownerService)
        {
            Assert.Equal(HttpStatusCode.OK, (await Shared.StatusAsync(owner, id)).StatusCode);
        }
    }

    [Fact]
    public async Task Status_OwnSchemaInAnotherGroup_Returns404()
    {
        var id = Shared.Simulation.SeedConnection("other_group", "salesforce", FivetranSchemaName.For("ci_", "org_group", "salesforce"));

        var response = await Shared.StatusAsync("org_group", id);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("speak_inexpensive%2F..%2F..%2Fgroups")]
    [InlineData("a.b")]
    [InlineData("caf%C3%A9")]
    [InlineData("x%20y")]
    [InlineData("x%3Fgroup_id%3Dother")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Status_MalformedConnectionId_Returns404WithoutVendorCall(string connectionId)
    {
        var before = Shared.Vendor.Requests.Count;

        var response = await Shared.StatusAsync("org_probe", connectionId);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, Shared.Vendor.Requests.Count);
    }

    [Theory]
    [InlineData("%2e%2e")]
    [InlineData("x%00y")]
    [InlineData("..%2F..%2Fhealth")]
    public async Task Status_PathTricks_NeverReachTheVendorOrFail(string connectionId)
    {
        // Some never reach the route (the client folds dot segments, Kestrel refuses %00): no vendor call, no 5xx either way.
        var before = Shared.Vendor.Requests.Count;

        var response = await Shared.StatusAsync("org_probe", connectionId);

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}");
        Assert.Equal(before, Shared.Vendor.Requests.Count);
    }

    [Fact]
    public async Task Status_HugeConnectionId_Returns404NotAnError()
    {
        var response = await Shared.StatusAsync("org_probe", new string('a', 4000));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(nameof(VendorFault.Status500), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.Throttled), HttpStatusCode.ServiceUnavailable, "vendor_throttled")]
    [InlineData(nameof(VendorFault.UnreadableBody), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.SlowBody), HttpStatusCode.GatewayTimeout, "vendor_timeout")]
    public async Task Status_VendorFault_MapsToContractProblem(string faultName, HttpStatusCode status, string code)
    {
        var fault = Enum.Parse<VendorFault>(faultName);
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer, new() { ["Vendors:Timeout"] = FaultDeadline.For(fault) });
        var id = bed.Simulation.SeedConnection(FivetranTestbed.GroupId, "salesforce", FivetranSchemaName.For("ci_", "org_42", "salesforce"));
        bed.Vendor.Fault = fault;

        var response = await bed.StatusAsync("org_42", id);

        var problem = await response.AssertProblemAsync(status, code);
        Assert.DoesNotContain("vendor-raw-body-marker", problem.ToString(), StringComparison.Ordinal);
        bed.AssertNoLeaks();
    }

    [Fact]
    public async Task Status_NoBearer_Returns401()
    {
        var response = await Shared.Server.Client.GetAsync("/api/fivetran/connections/speak_inexpensive");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
