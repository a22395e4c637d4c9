using ConnectIssuer.Polytomic;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Polytomic;

/// <summary><c>POST /api/polytomic/connect</c> through the real server and client, against the Polytomic simulation on loopback.</summary>
public sealed class PolytomicConnectEndToEndTests : IAsyncLifetime
{
    private const string Path = "/api/polytomic/connect";
    private const string ApiKey = "ptk-secret-0123456789abcdef-key";
    private const string Redirect = "https://app.example.com/integrations/done";
    private const string RawBodyMarker = "vendor-raw-body-marker";
    private const string NamePrefix = PolytomicOptions.DefaultNamePrefix;

    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await FakeOidcIssuer.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connect_NewConnection_SendsDocumentedRequestAndReturnsLink()
    {
        await using var h = await StartAsync();
        var bearer = _issuer.CreateToken();

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(
            Path, bearer, $$"""{"types":["hubspot","salesforce","hubspot"],"label":"CRM","redirectUrl":"{{Redirect}}","connectionId":null,"dark":true}"""));

        var body = await response.ReadJsonAsync();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var session = Assert.Single(h.Simulation.Sessions);
        Assert.Equal("polytomic", body.GetProperty("vendor").GetString());
        Assert.Equal(session.Token, body.GetProperty("token").GetString());
        Assert.Equal($"{h.Vendor.BaseUrl}/connect?token={session.Token}", body.GetProperty("url").GetString());
        Assert.Equal(["token", "url", "vendor"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var sent = Assert.Single(h.Vendor.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/api/connections/connect/", sent.PathAndQuery);
        Assert.Equal("Bearer " + ApiKey, sent.Headers["Authorization"]);
        Assert.Equal("2025-09-18", sent.Headers["X-Polytomic-Version"]);
        Assert.StartsWith("application/json", sent.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.False(sent.Headers.ContainsKey("Idempotency-Key"));
        var json = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal(["dark", "name", "redirect_url", "whitelist"], json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(PolytomicConnectionName.For(NamePrefix, "org_42", "CRM"), json.GetProperty("name").GetString());
        Assert.Equal("ci.org_5f42._43_52_4d", json.GetProperty("name").GetString());
        Assert.Equal(Redirect, json.GetProperty("redirect_url").GetString());
        Assert.Equal(["hubspot", "salesforce"], json.GetProperty("whitelist").EnumerateArray().Select(e => e.GetString()));
        Assert.True(json.GetProperty("dark").GetBoolean());
        h.Server.Logs.AssertNoneContain([ApiKey, session.Token, bearer, body.GetProperty("url").GetString()!]);
        Assert.Contains(h.Server.Logs.Lines, l => l.Contains("Audit: polytomic/connect", StringComparison.Ordinal) && l.Contains("outcome=issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_NoTypes_OffersAllAllowedTypesAndUsesDefaultRedirect()
    {
        await using var h = await StartAsync(new() { ["Polytomic:DefaultRedirectUrl"] = "https://app.example.com/default" });

        await ForEachCaseAsync(["", "{}", """{"types":[]}""", """{"types":null,"dark":null,"label":null}"""], async requestJson =>
        {
            var sentBefore = h.Vendor.Requests.Count;

            var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), requestJson.Length == 0 ? null : requestJson));

            await response.ReadJsonAsync();
            var json = JsonDocument.Parse(Assert.Single(h.Vendor.Requests.Skip(sentBefore)).Body).RootElement;
            Assert.Equal(["salesforce", "hubspot", "postgresql"], json.GetProperty("whitelist").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("https://app.example.com/default", json.GetProperty("redirect_url").GetString());
            Assert.Equal("ci.org_5f42", json.GetProperty("name").GetString());
            Assert.False(json.TryGetProperty("dark", out _));
            Assert.False(json.TryGetProperty("type", out _));
            Assert.False(json.TryGetProperty("connection", out _));
        });
    }

    [Fact]
    public async Task Connect_TypeNotAllowed_Returns403WithoutCallingPolytomic()
    {
        await using var h = await StartAsync();

        await ForEachCaseAsync(["""{"types":["salesforce","mysql"]}""", """{"types":["Salesforce"]}""", """{"types":[" salesforce"]}"""], async requestJson =>
        {
            var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), requestJson));

            await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        });
        Assert.Empty(h.Vendor.Requests);
    }

    [Fact]
    public async Task Connect_InvalidField_Returns400WithErrorsMap()
    {
        await using var h = await StartAsync();
        (string Json, string Field)[] cases =
        [
            ("""{"types":["salesforce",null]}""", "types"),
            ("""{"types":[""]}""", "types"),
            ("""{"types":"salesforce"}""", "types"),
            ("""{"label":""}""", "label"),
            ("""{"label":"12345678901234567890123456789012345678901234567890123456789012345"}""", "label"),
            ("""{"label":"a\nb"}""", "label"),
            ("""{"label":" CRM"}""", "label"),
            ("""{"label":"a\u200bb"}""", "label"),
            ("""{"label":"a\ud800b"}""", "label"),
            ("""{"connectionId":""}""", "connectionId"),
            ("""{"connectionId":"../../organizations"}""", "connectionId"),
            ("""{"connectionId":"abc?x=1"}""", "connectionId"),
            ("""{"connectionId":"x%2F.."}""", "connectionId"),
            ("""{"dark":"yes"}""", "dark"),
        ];

        await ForEachCaseAsync(cases, async c =>
        {
            var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), c.Json));

            var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
            Assert.True(problem.GetProperty("errors").TryGetProperty(c.Field, out _), problem.ToString());
        });
        Assert.Empty(h.Vendor.Requests);
    }

    [Fact]
    public async Task Connect_RedirectNotAllowed_Returns400WithoutCallingPolytomic()
    {
        await using var h = await StartAsync(new() { ["Polytomic:DefaultRedirectUrl"] = Redirect });
        string[] cases =
        [
            "https://evil.example.com/done", "http://app.example.com/done", "https://user@app.example.com/done",
            "https://app.example.com.evil.example/done", "/done", "javascript:alert(1)", "",
        ];

        await ForEachCaseAsync(cases, async url =>
        {
            var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), JsonSerializer.Serialize(new { redirectUrl = url })));

            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "redirect_not_allowed");
        });
        Assert.Empty(h.Vendor.Requests);
    }

    [Fact]
    public async Task Connect_DefaultRedirectOutsideAllowedOrigins_Returns400NamingTheSetting()
    {
        await using var h = await StartAsync(new() { ["Polytomic:DefaultRedirectUrl"] = "https://elsewhere.example.com/done" });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), "{}"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "redirect_not_allowed");
        Assert.Contains("Polytomic:DefaultRedirectUrl", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_NoRedirectAndNoDefault_Returns400()
    {
        await using var h = await StartAsync();

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), "{}"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("redirectUrl", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connect_NameTaken_Returns409TellingToReconnectOrUseAnotherLabel(bool restErrorShape)
    {
        await using var h = await StartAsync();
        h.Simulation.UseRestErrorShape = restErrorShape;
        h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_42", "CRM"), "salesforce");

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body(label: "CRM")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("reconnect", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("label", detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("must be unique", problem.ToString(), StringComparison.Ordinal);
        Assert.Empty(h.Simulation.Sessions);
    }

    [Fact]
    public async Task Connect_OtherCustomerSameLabel_GetsItsOwnName()
    {
        await using var h = await StartAsync();
        h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_42", "CRM"), "salesforce");

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, Bearer("org_43"), Body(label: "CRM")));

        await response.ReadJsonAsync();
        Assert.Equal(PolytomicConnectionName.For(NamePrefix, "org_43", "CRM"), Assert.Single(h.Simulation.Sessions).Name);
    }

    [Fact]
    public async Task Reconnect_OwnConnection_ReadsItThenSendsConnectionWithItsName()
    {
        await using var h = await StartAsync();
        var connection = h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_42", "CRM"), "salesforce");

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(
            Path, _issuer.CreateToken(), Body(types: """["salesforce"]""", label: "Another", connectionId: connection.Id)));

        var body = await response.ReadJsonAsync();
        Assert.Equal(connection.Id, body.GetProperty("connectionId").GetString());
        var requests = h.Vendor.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(("GET", $"/api/connections/{connection.Id}"), (requests[0].Method, requests[0].PathAndQuery));
        Assert.Equal("Bearer " + ApiKey, requests[0].Headers["Authorization"]);
        Assert.Equal("2025-09-18", requests[0].Headers["X-Polytomic-Version"]);
        var json = JsonDocument.Parse(requests[1].Body).RootElement;
        Assert.Equal(connection.Id, json.GetProperty("connection").GetString());
        Assert.Equal(connection.Name, json.GetProperty("name").GetString());
        Assert.Equal(["salesforce"], json.GetProperty("whitelist").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(connection.Id, Assert.Single(h.Simulation.Sessions).ConnectionId);
    }

    [Fact]
    public async Task Reconnect_ConnectionNotTheCustomers_Returns404LikeAnUnknownConnection()
    {
        await using var h = await StartAsync();
        var bearer = _issuer.CreateToken();
        var unknown = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: Guid.NewGuid().ToString())));
        var unknownProblem = await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        string[] names =
        [
            "ci.org_5f43", "ci.org_5f43.crm", "ci.org_5f43._2eorg_5f42", "ci.org_5f421", "ci.org_5f42..crm", "ci.org_5f42.crm.x",
            "ci.org_5f42.CRM", "ci.org_5f42._61", "ci.org_5f42._0a", "CI.org_5f42", "org_42", "ci.org_42", "Sales (org_42)", "",
        ];

        await ForEachCaseAsync(names, async name =>
        {
            var foreign = h.Simulation.AddConnection(name, "salesforce");

            var notOwned = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: foreign.Id)));

            var notOwnedProblem = await notOwned.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.Equal(WithoutTraceId(unknownProblem), WithoutTraceId(notOwnedProblem));
            Assert.Equal(unknown.Content.Headers.ContentType, notOwned.Content.Headers.ContentType);
        });
        Assert.Empty(h.Vendor.RequestsTo("POST", "/api/connections/connect"));
        Assert.Empty(h.Simulation.Sessions);
    }

    [Fact]
    public async Task Reconnect_ConnectionOfOtherCustomerWithCraftedLabel_Returns404()
    {
        // org_43 names its connection with a label that spells org_42's name; it stays org_43's.
        await using var h = await StartAsync();
        var crafted = h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_43", ".org_42"), "salesforce");
        var own = h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_43", "x"), "hubspot");

        var asVictim = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body(connectionId: crafted.Id)));
        var asOwner = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, Bearer("org_43"), Body(connectionId: own.Id)));

        await asVictim.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(own.Id, (await asOwner.ReadJsonAsync()).GetProperty("connectionId").GetString());
    }

    [Fact]
    public async Task Connect_IdempotencyKeyRetried_ReplaysTheSameSessionPerCustomer()
    {
        await using var h = await StartAsync();

        async Task<JsonElement> SendAsync(string bearer, string key)
        {
            var request = HttpExtensions.Post(Path, bearer, Body(label: "CRM"));
            request.Headers.Add("Idempotency-Key", key);
            return await (await h.Server.Client.SendAsync(request)).ReadJsonAsync();
        }

        var first = await SendAsync(_issuer.CreateToken(), "retry-123");
        var retried = await SendAsync(_issuer.CreateToken(), "retry-123");
        var otherCustomer = await SendAsync(Bearer("org_43"), "retry-123");
        var otherKey = await SendAsync(_issuer.CreateToken(), "retry-456");

        Assert.Equal(first.GetProperty("token").GetString(), retried.GetProperty("token").GetString());
        Assert.Equal(first.GetProperty("url").GetString(), retried.GetProperty("url").GetString());
        Assert.NotEqual(first.GetProperty("token").GetString(), otherCustomer.GetProperty("token").GetString());
        Assert.NotEqual(first.GetProperty("token").GetString(), otherKey.GetProperty("token").GetString());
        Assert.Equal(3, h.Simulation.Sessions.Count);
        var keys = h.Vendor.Requests.Select(r => r.Headers["Idempotency-Key"]).ToList();
        Assert.Equal(PolytomicIdempotencyKey.Derive("org_42", "retry-123"), keys[0]);
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(PolytomicIdempotencyKey.Derive("org_43", "retry-123"), keys[2]);
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{64}$", k));
        Assert.DoesNotContain("retry-123", string.Join(",", keys), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    public async Task Connect_InvalidIdempotencyKey_Returns400WithoutCallingPolytomic(string key)
    {
        await using var h = await StartAsync();
        var request = HttpExtensions.Post(Path, _issuer.CreateToken(), Body());
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await h.Server.Client.SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        Assert.Empty(h.Vendor.Requests);
    }

    [Fact]
    public async Task Connect_IdempotencyKeyTooLong_Returns400()
    {
        await using var h = await StartAsync();
        var request = HttpExtensions.Post(Path, _issuer.CreateToken(), Body());
        request.Headers.Add("Idempotency-Key", new string('k', 256));

        var response = await h.Server.Client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Connect_SameIdempotencyKeyStillInFlight_Returns409()
    {
        await using var h = await StartAsync();
        h.Simulation.HoldIdempotencyKey(PolytomicIdempotencyKey.Derive("org_42", "busy-key"));
        var request = HttpExtensions.Post(Path, _issuer.CreateToken(), Body());
        request.Headers.Add("Idempotency-Key", "busy-key");

        var response = await h.Server.Client.SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_VendorFault_MapsToContractProblem()
    {
        var bearer = _issuer.CreateToken();
        (VendorFault Fault, HttpStatusCode Status, string Code)[] cases =
        [
            (VendorFault.Status500, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.Status502, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.Throttled, HttpStatusCode.ServiceUnavailable, "vendor_throttled"),
            (VendorFault.ThrottledWithoutRetryAfter, HttpStatusCode.ServiceUnavailable, "vendor_throttled"),
            (VendorFault.Unauthorized, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.Hang, HttpStatusCode.GatewayTimeout, "vendor_timeout"),
            (VendorFault.SlowBody, HttpStatusCode.GatewayTimeout, "vendor_timeout"),
            (VendorFault.UnreadableBody, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.HugeBody, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.ConnectionReset, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.ResetMidBody, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.ResetMidChunkedBody, HttpStatusCode.BadGateway, "vendor_error"),
        ];

        foreach (var group in cases.GroupBy(c => FaultDeadline.For(c.Fault)))
        {
            await using var h = await StartAsync(new() { ["Vendors:Timeout"] = group.Key });
            await ForEachCaseAsync(group, async c =>
            {
                h.Vendor.Fault = c.Fault;
                var sentBefore = h.Vendor.Requests.Count;

                var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body()));

                var problem = await response.AssertProblemAsync(c.Status, c.Code);
                Assert.Equal(c.Fault == VendorFault.Throttled ? TimeSpan.FromSeconds(17) : null, response.Headers.RetryAfter?.Delta);
                Assert.DoesNotContain(RawBodyMarker, problem.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain(ApiKey, problem.ToString(), StringComparison.Ordinal);

                // A create without an Idempotency-Key is never repeated, except once after a 401 with the secret read again.
                Assert.Equal(c.Fault == VendorFault.Unauthorized ? 2 : 1, h.Vendor.Requests.Count - sentBefore);
            });
            Assert.Empty(h.Simulation.Sessions);
            Assert.DoesNotContain(RawBodyMarker, h.Server.Logs.All, StringComparison.Ordinal);
            h.Server.Logs.AssertNoneContain([ApiKey, bearer]);
        }
    }

    [Theory]
    [InlineData(VendorFault.ResetMidBody)]
    [InlineData(VendorFault.ResetMidChunkedBody)]
    internal async Task Connect_AnswerBreaksOffMidBody_Returns502VendorErrorNever500(VendorFault fault)
    {
        await using var h = await StartAsync();
        h.Vendor.Fault = fault;
        var keyed = HttpExtensions.Post(Path, _issuer.CreateToken(), Body());
        keyed.Headers.Add("Idempotency-Key", "mid-body-reset");

        var plain = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));
        var retried = await h.Server.Client.SendAsync(keyed);

        // Without a key the create is not repeated; with one it is, once, and still ends as a vendor error.
        var problem = await plain.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        await retried.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.Equal(3, h.Vendor.RequestsTo("POST", "/api/connections/connect").Count());
        Assert.DoesNotContain(RawBodyMarker, problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(RawBodyMarker, h.Server.Logs.All, StringComparison.Ordinal);
        Assert.Contains(h.Server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Polytomic's answer broke off", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(VendorFault.Status500, 500)]
    [InlineData(VendorFault.Throttled, 429)]
    [InlineData(VendorFault.Unauthorized, 401)]
    internal async Task Connect_VendorErrorStatus_IsLoggedAtWarningWithStatusAndVendorButNoBody(VendorFault fault, int status)
    {
        await using var h = await StartAsync();
        h.Vendor.Fault = fault;

        await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

        var warning = Assert.Single(h.Server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Polytomic answered", StringComparison.Ordinal));
        Assert.Contains($"Polytomic answered {status} in", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(RawBodyMarker, h.Server.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("rate limited", h.Server.Logs.All, StringComparison.Ordinal);
        h.Server.Logs.AssertNoneContain([ApiKey]);
    }

    [Fact]
    public async Task Connect_VendorRejectsTheRequest_IsLoggedAtWarningWithoutTheBody()
    {
        var odd = new CannedPolytomic
        {
            ConnectStatus = 422,
            ConnectBody = $$"""{"key":"validation_error","message":"{{RawBodyMarker}} whitelist: unknown type","metadata":{},"status":422}""",
        };
        await using var vendor = await VendorServer.StartAsync(odd);
        await using var server = await TestApp.StartServerAsync(CannedSettings(vendor));

        var response = await server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.DoesNotContain(RawBodyMarker, problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Polytomic answered 422 in", StringComparison.Ordinal));
        Assert.DoesNotContain(RawBodyMarker, server.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("whitelist", server.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_VendorLinkThatFivetransCheckRefuses_Returns502()
    {
        // The same check as Fivetran's Connect Card link: https, or http on loopback only, and no user info.
        var odd = new CannedPolytomic();
        await using var vendor = await VendorServer.StartAsync(odd);
        await using var server = await TestApp.StartServerAsync(CannedSettings(vendor));
        string[] refused =
        [
            "http://app.polytomic.com/connect?token=t",
            "http://evil.example/connect",
            "https://user:pass@app.polytomic.com/connect",
            "ftp://app.polytomic.com/connect",
            "data:text/html,<script>alert(1)</script>",
        ];

        foreach (var url in refused)
        {
            odd.ConnectBody = JsonSerializer.Serialize(new { data = new { redirect_url = url, token = "t" } });

            var response = await server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

            var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
            Assert.DoesNotContain(url, problem.ToString(), StringComparison.Ordinal);
        }

        foreach (var url in (string[])["https://app.polytomic.com/connect?s=1", "http://127.0.0.1:5000/connect?s=1", "http://localhost:5000/connect", "http://[::1]:5000/connect"])
        {
            odd.ConnectBody = JsonSerializer.Serialize(new { data = new { redirect_url = url, token = "t" } });

            var body = await (await server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()))).ReadJsonAsync();

            Assert.Equal(new Uri(url), new Uri(body.GetProperty("url").GetString()!));
        }
    }

    [Fact]
    public async Task Reconnect_TwoDeploymentsSharingAnOrganization_NeverReconnectEachOthersConnections()
    {
        // Production and staging share one Polytomic organization and one identity provider (same customer ids).
        var simulation = new PolytomicSimulation(ApiKey);
        await using var vendor = await VendorServer.StartAsync(simulation);
        await using var production = await TestApp.StartServerAsync(DeploymentSettings(vendor, "prod."));
        await using var staging = await TestApp.StartServerAsync(DeploymentSettings(vendor, "staging."));
        var productionConnection = simulation.AddConnection(PolytomicConnectionName.For("prod.", "org_42", "CRM"), "salesforce");
        var stagingConnection = simulation.AddConnection(PolytomicConnectionName.For("staging.", "org_42", null), "salesforce");
        var defaultConnection = simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_42", null), "salesforce");
        var bearer = Bearer("org_42");

        // Same customer, other deployment's connection: the same 404 as an unknown one, and no session.
        await (await staging.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: productionConnection.Id))))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await production.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: stagingConnection.Id))))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await production.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: defaultConnection.Id))))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(simulation.Sessions);

        // Each deployment reconnects its own, and new connections of one customer and label get a name per deployment.
        var own = await (await production.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: productionConnection.Id)))).ReadJsonAsync();
        Assert.Equal(productionConnection.Id, own.GetProperty("connectionId").GetString());
        await (await production.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(label: "ERP")))).ReadJsonAsync();
        await (await staging.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(label: "ERP")))).ReadJsonAsync();
        Assert.Equal(
            ["prod.org_5f42._43_52_4d", "prod.org_5f42._45_52_50", "staging.org_5f42._45_52_50"],
            simulation.Sessions.Select(x => x.Name));
    }

    [Fact]
    public async Task StartUp_NamePrefixBreakingTheSeparatorRule_FailsNamingIt()
    {
        await using var vendor = await VendorServer.StartAsync(new PolytomicSimulation(ApiKey));
        foreach (var prefix in (string[])["ci.x.", "ci-", "Prod."])
        {
            var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(DeploymentSettings(vendor, prefix)));
            Assert.Contains("Polytomic:NamePrefix", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Connect_TransientFailureWithIdempotencyKey_IsRetriedOnce()
    {
        await using var h = await StartAsync();
        h.Vendor.Fault = VendorFault.Status502;
        h.Vendor.FaultCount = 1;
        var request = HttpExtensions.Post(Path, _issuer.CreateToken(), Body());
        request.Headers.Add("Idempotency-Key", "retry-after-502");

        var response = await h.Server.Client.SendAsync(request);

        await response.ReadJsonAsync();
        Assert.Equal(2, h.Vendor.RequestsTo("POST", "/api/connections/connect").Count());
        Assert.Single(h.Simulation.Sessions);
    }

    [Fact]
    public async Task Reconnect_LookupFault_MapsToContractProblemWithoutStartingASession()
    {
        (VendorFault Fault, HttpStatusCode Status, string Code)[] cases =
        [
            (VendorFault.Status500, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.Throttled, HttpStatusCode.ServiceUnavailable, "vendor_throttled"),
            (VendorFault.Unauthorized, HttpStatusCode.BadGateway, "vendor_error"),
            (VendorFault.Hang, HttpStatusCode.GatewayTimeout, "vendor_timeout"),
            (VendorFault.UnreadableBody, HttpStatusCode.BadGateway, "vendor_error"),
        ];

        foreach (var group in cases.GroupBy(c => FaultDeadline.For(c.Fault)))
        {
            await using var h = await StartAsync(new() { ["Vendors:Timeout"] = group.Key });
            var connection = h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_42", null), "salesforce");
            await ForEachCaseAsync(group, async c =>
            {
                h.Vendor.Fault = c.Fault;

                var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body(connectionId: connection.Id)));

                await response.AssertProblemAsync(c.Status, c.Code);
            });
            Assert.Empty(h.Vendor.RequestsTo("POST", "/api/connections/connect"));
        }
    }

    [Fact]
    public async Task Reconnect_TransientLookupFailure_IsRetriedOnce()
    {
        await using var h = await StartAsync();
        var connection = h.Simulation.AddConnection(PolytomicConnectionName.For(NamePrefix, "org_42", null), "salesforce");
        h.Vendor.Fault = VendorFault.ConnectionReset;
        h.Vendor.FaultCount = 1;

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body(connectionId: connection.Id)));

        Assert.Equal(connection.Id, (await response.ReadJsonAsync()).GetProperty("connectionId").GetString());
        Assert.Equal(2, h.Vendor.RequestsTo("GET", "/api/connections/").Count());
    }

    [Fact]
    public async Task Connect_VendorAnswersWithoutUsableLinkOrConnection_Returns502OrNotFound()
    {
        var odd = new CannedPolytomic();
        await using var vendor = await VendorServer.StartAsync(odd);
        var settings = _issuer.Settings();
        settings["Polytomic:BaseUrl"] = vendor.BaseUrl;
        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["Secrets:PolytomicApiKey"] = ApiKey;
        settings["RateLimit:PermitsPerMinute"] = "1000";
        await using var server = await TestApp.StartServerAsync(settings);
        (string Connect, string Connection, string? ConnectionId, HttpStatusCode Status, string Code)[] cases =
        [
            ("""{"data":{"token":"t"}}""", "", null, HttpStatusCode.BadGateway, "vendor_error"),
            ("""{"data":{"redirect_url":"/connect?x","token":"t"}}""", "", null, HttpStatusCode.BadGateway, "vendor_error"),
            ("""{"data":{"redirect_url":"javascript:alert(1)","token":"t"}}""", "", null, HttpStatusCode.BadGateway, "vendor_error"),
            ("""{"data":null}""", "", null, HttpStatusCode.BadGateway, "vendor_error"),
            ("""{"result":{"redirect_url":"https://x.example/c"}}""", "", null, HttpStatusCode.BadGateway, "vendor_error"),
            ("", """{"data":null}""", "c1", HttpStatusCode.BadGateway, "vendor_error"),
            ("", """{"data":{"id":"c1","name":42}}""", "c1", HttpStatusCode.BadGateway, "vendor_error"),
            ("", """{"data":{"id":"c1"}}""", "c1", HttpStatusCode.NotFound, "not_found"),
        ];

        await ForEachCaseAsync(cases, async c =>
        {
            (odd.ConnectBody, odd.ConnectionBody) = (c.Connect, c.Connection);

            var response = await server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body(connectionId: c.ConnectionId)));

            var problem = await response.AssertProblemAsync(c.Status, c.Code);
            Assert.DoesNotContain("javascript", problem.ToString(), StringComparison.Ordinal);
        });

        // The connection disappears between the lookup and the session: the same 404 as an unknown connection.
        (odd.ConnectStatus, odd.ConnectBody) = (404, """{"key":"not_found","message":"connection not found","metadata":{},"status":404}""");
        odd.ConnectionBody = """{"data":{"id":"c1","name":"ci.org_5f42"}}""";
        var gone = await server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body(connectionId: "c1")));
        var unknownProblem = await gone.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("No such Polytomic connection.", unknownProblem.GetProperty("detail").GetString());

        (odd.ConnectStatus, odd.ConnectBody) = (200, """{"data":{"redirect_url":"https://app.polytomic.com/connect?s=1"}}""");
        var withoutToken = await (await server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()))).ReadJsonAsync();
        Assert.Equal("https://app.polytomic.com/connect?s=1", withoutToken.GetProperty("url").GetString());
        Assert.False(withoutToken.TryGetProperty("token", out _));
    }

    [Fact]
    public async Task Connect_WrongApiKey_Returns502AfterReadingTheSecretAgain()
    {
        await using var h = await StartAsync(new() { ["Secrets:PolytomicApiKey"] = "wrong-key-0123456789" });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.DoesNotContain("wrong-key", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, h.Vendor.Requests.Count);
        h.Server.Logs.AssertNoneContain(["wrong-key-0123456789"]);
    }

    [Fact]
    public async Task Connect_ApiKeyMissing_Returns503NotConfigured()
    {
        await using var h = await StartAsync(new() { ["Secrets:PolytomicApiKey"] = null });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains("PolytomicApiKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var health = await (await h.Server.Client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("not-configured", health.GetProperty("vendors").GetProperty("polytomic").GetString());
    }

    [Fact]
    public async Task Connect_NoAllowedTypes_Returns503NotConfiguredNamingTheSetting()
    {
        await using var h = await StartAsync(new()
        {
            ["Polytomic:AllowedTypes:0"] = null, ["Polytomic:AllowedTypes:1"] = null, ["Polytomic:AllowedTypes:2"] = null,
        });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains("Polytomic:AllowedTypes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(h.Vendor.Requests);
        var health = await (await h.Server.Client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("not-configured", health.GetProperty("vendors").GetProperty("polytomic").GetString());
    }

    [Fact]
    public async Task Health_Configured_ReportsPolytomicConfigured()
    {
        await using var h = await StartAsync();

        var health = await (await h.Server.Client.GetAsync("/api/health")).ReadJsonAsync();

        Assert.Equal("configured", health.GetProperty("vendors").GetProperty("polytomic").GetString());
        Assert.Empty(h.Vendor.Requests);
    }

    [Fact]
    public async Task Connect_Unauthenticated_Returns401WithoutCallingPolytomic()
    {
        await using var h = await StartAsync();

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, null, Body()));

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Empty(h.Vendor.Requests);
    }

    [Fact]
    public async Task Connect_SelfHostedBaseUrlWithPathAndOtherVersion_AppendsPathsAndSendsTheVersion()
    {
        await using var h = await StartAsync(new() { ["Polytomic:ApiVersion"] = "2024-02-08" }, pathBase: "/polytomic");

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, _issuer.CreateToken(), Body()));

        await response.ReadJsonAsync();
        var sent = Assert.Single(h.Vendor.Requests);
        Assert.Equal("/polytomic/api/connections/connect/", sent.PathAndQuery);
        Assert.Equal("2024-02-08", sent.Headers["X-Polytomic-Version"]);
    }

    [Fact]
    public async Task SandboxFlow_SaveThenConnectAgain_ConflictsAndReconnectWorks()
    {
        await using var h = await StartAsync();
        var bearer = _issuer.CreateToken();
        var first = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(label: "CRM")))).ReadJsonAsync();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        var page = await browser.GetAsync(new Uri(first.GetProperty("url").GetString()!));
        var saved = await browser.PostAsync(new Uri(first.GetProperty("url").GetString()!.Replace("/connect?", "/connect/save?", StringComparison.Ordinal)), null);
        var again = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(label: "CRM")));
        var connection = Assert.Single(h.Simulation.Connections);
        var reconnect = await h.Server.Client.SendAsync(HttpExtensions.Post(Path, bearer, Body(connectionId: connection.Id)));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Polytomic Connect (sandbox)", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(Redirect, saved.Headers.Location?.AbsoluteUri);
        Assert.Equal(PolytomicConnectionName.For(NamePrefix, "org_42", "CRM"), connection.Name);
        Assert.Equal("salesforce", connection.Type);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Equal(connection.Id, (await reconnect.ReadJsonAsync()).GetProperty("connectionId").GetString());
    }

    private static string Body(string types = """["salesforce"]""", string? label = null, string? connectionId = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["types"] = JsonDocument.Parse(types).RootElement,
            ["label"] = label,
            ["redirectUrl"] = Redirect,
            ["connectionId"] = connectionId,
        });

    /// <summary>Runs the cases against one server (a server start costs more than a request), naming the failing case.</summary>
    private static async Task ForEachCaseAsync<T>(IEnumerable<T> cases, Func<T, Task> run)
    {
        foreach (var c in cases)
        {
            try
            {
                await run(c);
            }
            catch (Exception exception)
            {
                throw new Xunit.Sdk.XunitException($"Case {c}: {exception.Message}");
            }
        }
    }

    private static string WithoutTraceId(JsonElement problem) =>
        string.Join(",", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    private string Bearer(string customerId) =>
        _issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-" + customerId, ["org_id"] = customerId });

    private Dictionary<string, string?> CannedSettings(VendorServer vendor)
    {
        var settings = _issuer.Settings();
        settings["Polytomic:BaseUrl"] = vendor.BaseUrl;
        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["Secrets:PolytomicApiKey"] = ApiKey;
        settings["RateLimit:PermitsPerMinute"] = "1000";
        return settings;
    }

    private Dictionary<string, string?> DeploymentSettings(VendorServer vendor, string namePrefix)
    {
        var settings = CannedSettings(vendor);
        settings["Polytomic:NamePrefix"] = namePrefix;
        return settings;
    }

    private async Task<Harness> StartAsync(Dictionary<string, string?>? overrides = null, string? pathBase = null)
    {
        var simulation = new PolytomicSimulation(ApiKey);
        var vendor = await VendorServer.StartAsync(simulation, pathBase);
        var settings = _issuer.Settings();
        settings["Polytomic:BaseUrl"] = vendor.BaseUrl + (pathBase ?? "");
        settings["Polytomic:AllowedTypes:0"] = "salesforce";
        settings["Polytomic:AllowedTypes:1"] = "hubspot";
        settings["Polytomic:AllowedTypes:2"] = "postgresql";
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["Secrets:PolytomicApiKey"] = ApiKey;
        settings["RateLimit:PermitsPerMinute"] = "1000";
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        try
        {
            return new Harness(await TestApp.StartServerAsync(settings), vendor, simulation);
        }
        catch
        {
            await vendor.DisposeAsync();
            throw;
        }
    }

    private sealed record Harness(RunningApp Server, VendorServer Vendor, PolytomicSimulation Simulation) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Vendor.DisposeAsync();
        }
    }

    /// <summary>A Polytomic that answers 200 with whatever body a case sets, for shapes the simulation never produces.</summary>
    private sealed class CannedPolytomic : IVendorSimulation
    {
        public int ConnectStatus { get; set; } = 200;

        public string ConnectBody { get; set; } = "";

        public string ConnectionBody { get; set; } = "";

        public void Map(IEndpointRouteBuilder routes)
        {
            routes.MapPost("/api/connections/connect", () => Results.Text(ConnectBody, "application/json", statusCode: ConnectStatus));
            routes.MapGet("/api/connections/{id}", () => Results.Text(ConnectionBody, "application/json"));
        }
    }
}
