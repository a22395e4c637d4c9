using System.Text.Json.Nodes;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary><c>POST /api/fivetran/connect-card</c> through the real server, a real OIDC issuer and the Fivetran simulation on loopback.</summary>
public sealed class FivetranConnectCardEndToEndTests(FivetranFixture fixture) : IClassFixture<FivetranFixture>
{
    private FivetranTestbed Shared => fixture.Shared;

    [Fact]
    public async Task ConnectCard_FirstRequest_LooksUpThenCreatesWithExactBodyAndReturnsLink()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);

        var response = await bed.ConnectCardAsync("org_42");

        var body = await response.ReadJsonAsync();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("fivetran", body.GetProperty("vendor").GetString());
        Assert.True(body.GetProperty("created").GetBoolean());
        var connection = Assert.Single(bed.Simulation.Connections);
        Assert.Equal(connection.Id, body.GetProperty("connectionId").GetString());
        Assert.Equal("ci_7_org__42_salesforce", connection.Schema);
        Assert.Equal(bed.Simulation.IssuedTokens.Single(), body.GetProperty("token").GetString());
        var url = new Uri(body.GetProperty("url").GetString()!);
        Assert.Equal("/connect-card/setup", url.AbsolutePath);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString(FivetranTestbed.Redirect), url.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("hide_setup_guide", url.Query, StringComparison.Ordinal);
        var expiresAt = body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        Assert.False(body.TryGetProperty("customerId", out _));

        var requests = bed.Vendor.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("GET", requests[0].Method);
        Assert.Equal("/v1/connections?group_id=decent_dropsy&schema=ci_7_org__42_salesforce", requests[0].PathAndQuery);
        Assert.Equal("POST", requests[1].Method);
        Assert.Equal("/v1/connections", requests[1].PathAndQuery);
        AssertJson(
            """
            {"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":false,
             "config":{"schema":"ci_7_org__42_salesforce"},
             "connect_card_config":{"redirect_uri":"https://app.example.com/integrations/done","hide_setup_guide":false}}
            """,
            requests[1].Body);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FivetranTestbed.ApiKey}:{FivetranTestbed.ApiSecret}"));
        foreach (var request in requests)
        {
            Assert.Equal(basic, request.Headers["Authorization"]);
            AssertAcceptsVersion2(request.Headers["Accept"]);
        }

        Assert.Equal("application/json", requests[1].Headers["Content-Type"]);
        bed.AssertNoLeaks();
        Assert.Contains(bed.Server.Logs.Lines, l => l.Contains("Audit: fivetran/connect-card", StringComparison.Ordinal) && l.Contains("customer=org_42", StringComparison.Ordinal) && l.Contains("outcome=issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConnectCard_SecondRequest_ReusesConnectionAndAsksForAConnectCard()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        var first = await (await bed.ConnectCardAsync("org_42")).ReadJsonAsync();

        var response = await bed.ConnectCardAsync("org_42", redirectUri: "https://localhost:5173/fivetran/back");

        var second = await response.ReadJsonAsync();
        Assert.False(second.GetProperty("created").GetBoolean());
        Assert.Equal(first.GetProperty("connectionId").GetString(), second.GetProperty("connectionId").GetString());
        Assert.NotEqual(first.GetProperty("token").GetString(), second.GetProperty("token").GetString());
        Assert.Single(bed.Simulation.Connections);
        Assert.Single(bed.Vendor.RequestsTo("POST", "/v1/connections"), r => r.PathAndQuery == "/v1/connections");
        var card = Assert.Single(bed.Vendor.RequestsTo("POST", $"/v1/connections/{second.GetProperty("connectionId").GetString()}/connect-card"));
        AssertJson("""{"connect_card_config":{"redirect_uri":"https://localhost:5173/fivetran/back","hide_setup_guide":false}}""", card.Body);
        AssertAcceptsVersion2(card.Headers["Accept"]);
        bed.AssertNoLeaks();
    }

    [Fact]
    public async Task ConnectCard_NoRedirectInRequest_UsesDefaultAndHideSetupGuideSetting()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer, new()
        {
            ["Fivetran:DefaultRedirectUri"] = "https://app.example.com/default-back",
            ["Fivetran:HideSetupGuide"] = "true",
            ["Fivetran:SchemaPrefix"] = "acme_",
        });

        var body = await (await bed.ConnectCardJsonAsync("org_42", """{"service":"hubspot"}""")).ReadJsonAsync();

        var create = Assert.Single(bed.Vendor.RequestsTo("POST", "/v1/connections"));
        AssertJson(
            """
            {"group_id":"decent_dropsy","service":"hubspot","run_setup_tests":false,
             "config":{"schema":"acme_7_org__42_hubspot"},
             "connect_card_config":{"redirect_uri":"https://app.example.com/default-back","hide_setup_guide":true}}
            """,
            create.Body);
        Assert.EndsWith("&hide_setup_guide=true", body.GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectCard_DatabaseService_NamesTheConnectionWithSchemaPrefix()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);

        await (await bed.ConnectCardAsync("org_42", "postgres")).ReadJsonAsync();

        var create = JsonNode.Parse(Assert.Single(bed.Vendor.RequestsTo("POST", "/v1/connections")).Body)!;
        Assert.Equal("""{"schema_prefix":"ci_7_org__42_postgres"}""", create["config"]!.ToJsonString());
    }

    [Fact]
    public async Task ConnectCard_NoRedirectAndNoDefault_Returns400InvalidRequest()
    {
        var before = Shared.Vendor.Requests.Count;

        var response = await Shared.ConnectCardJsonAsync("org_noredirect", """{"service":"salesforce"}""");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("redirectUri", out _));
        Assert.Equal(before, Shared.Vendor.Requests.Count);
    }

    [Theory]
    [InlineData("""{"redirectUri":"https://app.example.com/done"}""")]
    [InlineData("""{"service":"","redirectUri":"https://app.example.com/done"}""")]
    [InlineData("""{"service":42}""")]
    public async Task ConnectCard_ServiceMissingOrMalformed_Returns400InvalidRequest(string json)
    {
        var response = await Shared.ConnectCardJsonAsync("org_noservice", json);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("service", out _));
    }

    [Theory]
    [InlineData("stripe")]
    [InlineData("Salesforce")]
    [InlineData("salesforce ")]
    [InlineData("../salesforce")]
    public async Task ConnectCard_ServiceNotAllowed_Returns403WithoutVendorCall(string service)
    {
        var before = Shared.Vendor.Requests.Count;

        var response = await Shared.ConnectCardAsync("org_forbidden", service);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(before, Shared.Vendor.Requests.Count);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://evil.example/integrations/done")]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("//evil.example/integrations/done")]
    [InlineData("https://app.example.com@evil.example/done")]
    [InlineData("https://app.example.com.evil.example/done")]
    [InlineData("http://app.example.com/integrations/done")]
    [InlineData("/integrations/done")]
    [InlineData("integrations/done")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("https://app.example.com:8443/integrations/done")]
    [InlineData("http://localhost:5174/back")]
    [InlineData("https:/\\evil.example")]
    [InlineData("https://app.example.com/done#@evil.example")]
    [InlineData(" https://app.example.com/done")]
    [InlineData("")]
    public async Task ConnectCard_RedirectAttack_Returns400RedirectNotAllowedWithoutVendorCall(string redirectUri)
    {
        var before = Shared.Vendor.Requests.Count;

        var response = await Shared.ConnectCardAsync("org_attacker", "salesforce", redirectUri);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "redirect_not_allowed");
        Assert.DoesNotContain("evil", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, Shared.Vendor.Requests.Count);
    }

    [Theory]
    [InlineData("https://app.example.com/integrations/done?step=2")]
    [InlineData("https://APP.example.com:443/done")]
    [InlineData("https://app.example.com")]
    [InlineData("https://localhost:5173/fivetran/back")]
    public async Task ConnectCard_AllowedRedirect_IsSentVerbatim(string redirectUri)
    {
        var customer = "org_allowed_" + Guid.NewGuid().ToString("N");

        var body = await (await Shared.ConnectCardAsync(customer, "salesforce", redirectUri)).ReadJsonAsync();

        var create = Shared.Vendor.RequestsTo("POST", "/v1/connections").Last(r => r.PathAndQuery == "/v1/connections");
        Assert.Equal(redirectUri, JsonNode.Parse(create.Body)!["connect_card_config"]!["redirect_uri"]!.GetValue<string>());
        Assert.True(body.GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task ConnectCard_SixConcurrentFirstRequests_OneConnectionAndSixLinks()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => bed.ConnectCardAsync("org_concurrent")));

        var bodies = await Task.WhenAll(responses.Select(r => r.ReadJsonAsync()));
        var connection = Assert.Single(bed.Simulation.Connections);
        Assert.All(bodies, b => Assert.Equal(connection.Id, b.GetProperty("connectionId").GetString()));
        Assert.Single(bodies, b => b.GetProperty("created").GetBoolean());
        Assert.Equal(6, bodies.Select(b => b.GetProperty("url").GetString()).Distinct().Count());
        Assert.Equal(0, bed.Server.Services.GetRequiredService<KeyedSingleFlight<string, FivetranConnectionLookup>>().Count);
        bed.AssertNoLeaks();
    }

    [Fact]
    public async Task ConnectCard_ConcurrentRequestsOnTwoInstances_OneConnectionAndEveryoneGetsALink()
    {
        await using var first = await FivetranTestbed.StartAsync(fixture.Issuer);
        await using var second = await TestApp.For(HostKind.Server).WithSettings(FivetranTestbed.Settings(fixture.Issuer, first.Vendor)).StartAsync();
        var bearer = first.Bearer("org_two_instances");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? first.Server.Client : second.Client).SendAsync(
            HttpExtensions.Post("/api/fivetran/connect-card", bearer, $$"""{"service":"salesforce","redirectUri":"{{FivetranTestbed.Redirect}}"}"""))));

        var bodies = await Task.WhenAll(responses.Select(r => r.ReadJsonAsync()));
        var connection = Assert.Single(first.Simulation.Connections);
        Assert.All(bodies, b => Assert.Equal(connection.Id, b.GetProperty("connectionId").GetString()));
        Assert.Single(bodies, b => b.GetProperty("created").GetBoolean());
        Assert.InRange(first.Simulation.CreateConflicts, 0, 1);
    }

    [Fact]
    public async Task ConnectCard_CreateLosesToAnotherInstance_LooksUpAgainAndReuses()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        var id = bed.Simulation.SeedConnection(FivetranTestbed.GroupId, "salesforce", "ci_7_org__42_salesforce");
        bed.Simulation.StaleListResponses = 1;

        var body = await (await bed.ConnectCardAsync("org_42")).ReadJsonAsync();

        Assert.False(body.GetProperty("created").GetBoolean());
        Assert.Equal(id, body.GetProperty("connectionId").GetString());
        Assert.Equal(1, bed.Simulation.CreateConflicts);
        Assert.Single(bed.Simulation.Connections);
        Assert.Equal(
            ["GET /v1/connections", "POST /v1/connections", "GET /v1/connections", $"POST /v1/connections/{id}/connect-card"],
            bed.Vendor.Requests.Select(r => $"{r.Method} {r.PathAndQuery.Split('?')[0]}"));
    }

    [Fact]
    public async Task ConnectCard_ConflictThatLookupCannotFind_Returns409Conflict()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        bed.Simulation.SeedConnection(FivetranTestbed.GroupId, "salesforce", "ci_7_org__42_salesforce");
        bed.Simulation.StaleListResponses = 2;

        var response = await bed.ConnectCardAsync("org_42");

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Single(bed.Vendor.RequestsTo("POST", "/v1/connections"));
    }

    [Fact]
    public async Task ConnectCard_SchemaHeldByAnotherService_Returns409WithoutCard()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        bed.Simulation.SeedConnection(FivetranTestbed.GroupId, "hubspot", "ci_7_org__42_salesforce");

        var response = await bed.ConnectCardAsync("org_42");

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Empty(bed.Vendor.RequestsTo("POST", "/v1/connections"));
        Assert.Equal(0, bed.Simulation.ConnectCardsIssued);
    }

    [Fact]
    public async Task ConnectCard_CustomersCraftedToCollide_GetSeparateConnections()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        string[] customers = ["org", "Org", "ORG", "a_b", "a", "a/b", "a%2Fb", "a__b", "7_org__42", "org_42", "org-42", "org 42"];

        foreach (var customer in customers)
        {
            await (await bed.ConnectCardAsync(customer)).ReadJsonAsync();
        }

        var connections = bed.Simulation.Connections;
        Assert.Equal(customers.Length, connections.Count);
        Assert.Equal(customers.Length, connections.Select(c => c.Schema).Distinct(StringComparer.Ordinal).Count());
        foreach (var customer in customers)
        {
            var again = await (await bed.ConnectCardAsync(customer)).ReadJsonAsync();
            Assert.False(again.GetProperty("created").GetBoolean());
        }

        Assert.Equal(customers.Length, bed.Simulation.Connections.Count);
    }

    [Theory]
    [InlineData(nameof(VendorFault.Throttled), HttpStatusCode.ServiceUnavailable, "vendor_throttled")]
    [InlineData(nameof(VendorFault.ThrottledWithoutRetryAfter), HttpStatusCode.ServiceUnavailable, "vendor_throttled")]
    [InlineData(nameof(VendorFault.Status500), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.Status502), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.UnreadableBody), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.HugeBody), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.ConnectionReset), HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(nameof(VendorFault.Unauthorized), HttpStatusCode.BadGateway, "vendor_error")]
    public async Task ConnectCard_VendorFault_MapsToContractProblem(string faultName, HttpStatusCode status, string code)
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        var fault = Enum.Parse<VendorFault>(faultName);
        bed.Vendor.Fault = fault;

        var response = await bed.ConnectCardAsync("org_42");

        var problem = await response.AssertProblemAsync(status, code);
        Assert.DoesNotContain("vendor-raw-body-marker", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(fault == VendorFault.Throttled ? TimeSpan.FromSeconds(17) : null, response.Headers.RetryAfter?.Delta);
        Assert.Empty(bed.Vendor.RequestsTo("POST", "/v1/connections"));
        Assert.Empty(bed.Simulation.Connections);
        bed.AssertNoLeaks();
    }

    [Fact]
    public async Task ConnectCard_VendorHangs_Returns504WithinTimeout()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer, new() { ["Vendors:Timeout"] = FaultDeadline.Hanging });
        bed.Vendor.Fault = VendorFault.Hang;

        // The vendor never answers: only the deadline can end the call, and it ends as a 504.
        var response = await Eventually.CompletesAsync(bed.ConnectCardAsync("org_42"));

        await response.AssertProblemAsync(HttpStatusCode.GatewayTimeout, "vendor_timeout");
    }

    [Theory]
    [InlineData(500, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(503, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(429, HttpStatusCode.ServiceUnavailable, "vendor_throttled")]
    [InlineData(400, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(404, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(0, HttpStatusCode.GatewayTimeout, "vendor_timeout")]
    public async Task ConnectCard_CreateFails_MapsFaultAndNeverRepeatsTheCreate(int status, HttpStatusCode expected, string code)
    {
        var simulation = new FivetranSimulation(FivetranTestbed.ApiKey, FivetranTestbed.ApiSecret, [FivetranTestbed.GroupId]);
        var failing = new FailingCreates(simulation, status);
        await using var vendor = await VendorServer.StartAsync(failing);
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer, new() { ["Vendors:Timeout"] = status == 0 ? FaultDeadline.Hanging : FaultDeadline.Answering }, simulation, vendor);

        var response = await bed.ConnectCardAsync("org_42");

        var problem = await response.AssertProblemAsync(expected, code);
        Assert.DoesNotContain("vendor-raw-body-marker", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, failing.Attempts);

        // A refusal that may mean "it exists now" (400) is followed by one more look-up; nothing else is.
        Assert.Equal(status == 400 ? 2 : 1, vendor.RequestsTo("GET", "/v1/connections?").Count());
        Assert.Empty(simulation.Connections);
    }

    [Fact]
    public async Task ConnectCard_CredentialsRejectedOnce_ReadsSecretsAgainAndSucceeds()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);
        bed.Vendor.Fault = VendorFault.Unauthorized;
        bed.Vendor.FaultCount = 1;

        var body = await (await bed.ConnectCardAsync("org_42")).ReadJsonAsync();

        Assert.True(body.GetProperty("created").GetBoolean());
        Assert.Equal(2, bed.Vendor.RequestsTo("GET", "/v1/connections?").Count());
        Assert.Contains(bed.Server.Logs.Lines, l => l.Contains("Fivetran rejected the credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConnectCard_WrongApiSecret_Returns502WithoutSecretInAnswerOrLogs()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer, new() { ["Secrets:FivetranApiSecret"] = "not-the-right-secret" });

        var response = await bed.ConnectCardAsync("org_42");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.DoesNotContain("not-the-right-secret", problem.ToString(), StringComparison.Ordinal);
        bed.Server.Logs.AssertNoneContain(["not-the-right-secret"]);
        Assert.Equal(2, bed.Vendor.Requests.Count);
    }

    [Theory]
    [InlineData("Fivetran:GroupId", "Fivetran:GroupId")]
    [InlineData("Fivetran:AllowedServices:0", "Fivetran:AllowedServices")]
    [InlineData("Secrets:FivetranApiKey", "FivetranApiKey")]
    [InlineData("Secrets:FivetranApiSecret", "FivetranApiSecret")]
    public async Task ConnectCard_SettingOrSecretMissing_Returns503NotConfigured(string key, string named)
    {
        var overrides = new Dictionary<string, string?> { [key] = null };
        if (key.StartsWith("Fivetran:AllowedServices", StringComparison.Ordinal))
        {
            overrides["Fivetran:AllowedServices:1"] = null;
            overrides["Fivetran:AllowedServices:2"] = null;
        }

        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer, overrides);

        var response = await bed.ConnectCardAsync("org_42");

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(bed.Vendor.Requests);
        var health = await (await bed.Server.Client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("not-configured", health.GetProperty("vendors").GetProperty("fivetran").GetString());
    }

    [Fact]
    public async Task Health_FullyConfigured_ReportsFivetranConfigured()
    {
        var health = await (await Shared.Server.Client.GetAsync("/api/health")).ReadJsonAsync();

        Assert.Equal("configured", health.GetProperty("vendors").GetProperty("fivetran").GetString());
    }

    [Fact]
    public async Task ConnectCard_NoBearer_Returns401WithoutVendorCall()
    {
        var before = Shared.Vendor.Requests.Count;

        var response = await Shared.Server.Client.SendAsync(HttpExtensions.Post("/api/fivetran/connect-card", null, """{"service":"salesforce"}"""));

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(before, Shared.Vendor.Requests.Count);
    }

    [Fact]
    public async Task ConnectCard_BodyNamesAnotherCustomer_IsIgnored()
    {
        await using var bed = await FivetranTestbed.StartAsync(fixture.Issuer);

        await (await bed.ConnectCardJsonAsync("org_42", $$"""{"service":"salesforce","redirectUri":"{{FivetranTestbed.Redirect}}","customerId":"org_evil","schema":"ci_x"}""")).ReadJsonAsync();

        Assert.Equal("ci_7_org__42_salesforce", Assert.Single(bed.Simulation.Connections).Schema);
    }

    /// <summary>
    /// <c>application/json;version=2</c>. The client sends it verbatim, but when HttpClient logging runs at Trace (as in these
    /// tests) it enumerates, parses and re-formats the header as <c>application/json; version=2</c>: the same value (RFC 9110 OWS).
    /// </summary>
    private static void AssertAcceptsVersion2(string accept)
    {
        var value = System.Net.Http.Headers.MediaTypeWithQualityHeaderValue.Parse(accept);
        Assert.Equal("application/json", value.MediaType);
        Assert.Equal("version=2", Assert.Single(value.Parameters).ToString());
    }

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected}\nActual   {actual}");
}
