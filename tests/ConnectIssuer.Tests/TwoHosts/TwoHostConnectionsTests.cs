using System.Net.Http.Headers;
using System.Security.Cryptography;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>
/// <c>GET /api/connections</c> and <c>DELETE /api/connections/{vendor}/{connectionId}</c> end to end on both hosts, against the
/// four vendor simulations seeded with two customers' connections in every state. Every test runs on each host.
/// </summary>
public sealed class TwoHostConnectionsTests(ConnectionsEnvironment environment) : IClassFixture<ConnectionsEnvironment>
{
    private static readonly string[] AllVendors = ["integration-app", "alloy", "fivetran", "polytomic"];
    private static readonly string[] HealthKeys = ["alloy", "fivetran", "integrationApp", "polytomic"];

    public static TheoryData<HostKind> Hosts => TestApp.BothHosts;

    public static TheoryData<HostKind, VendorFault> HostsAndFaults
    {
        get
        {
            var data = new TheoryData<HostKind, VendorFault>();
            foreach (var host in TestApp.Hosts)
            {
                foreach (var fault in (VendorFault[])[VendorFault.Status500, VendorFault.Throttled, VendorFault.Hang, VendorFault.UnreadableBody, VendorFault.Unauthorized, VendorFault.HugeBody])
                {
                    data.Add(host, fault);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task List_EachCustomerSeesExactlyItsOwn_WithTheDocumentedStatus(HostKind host)
    {
        var a = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var b = environment.Seed(ConnectionsEnvironment.NewCustomerId());

        foreach (var customer in new[] { a, b })
        {
            var response = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer.CustomerId)));

            var body = await response.ReadJsonAsync();
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(["customerId", "connections", "vendors"], body.EnumerateObject().Select(p => p.Name));
            Assert.Equal(customer.CustomerId, body.GetProperty("customerId").GetString());
            Assert.Equal(HealthKeys.Select(k => $"{k}:ok"), Vendors(body));
            Assert.Equal(customer.Expected.Order(StringComparer.Ordinal), Entries(body).Order(StringComparer.Ordinal));
            foreach (var entry in body.GetProperty("connections").EnumerateArray())
            {
                var status = entry.GetProperty("status").GetString();
                Assert.Equal(status is "broken" or "pending" or "paused", entry.TryGetProperty("detail", out var detail));
                Assert.DoesNotContain("Reconnect", detail.ValueKind == JsonValueKind.String ? detail.GetString()! : "", StringComparison.Ordinal);
            }

            var labels = body.GetProperty("connections").EnumerateArray()
                .Where(c => c.TryGetProperty("label", out _))
                .Select(c => $"{c.GetProperty("vendor").GetString()}:{c.GetProperty("label").GetString()}")
                .Order(StringComparer.Ordinal);
            Assert.Equal(
                ["integration-app:HubSpot Broken", "integration-app:HubSpot Healthy", "integration-app:HubSpot Pending", "polytomic:CRM"],
                labels);
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task List_CustomerWithNothing_HasNoConnections_AndNoAlloyUserIsCreated(HostKind host)
    {
        var customer = ConnectionsEnvironment.NewCustomerId();
        var users = environment.Alloy.Users.Count;

        var response = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer)));

        var body = await response.ReadJsonAsync();
        Assert.Empty(body.GetProperty("connections").EnumerateArray());
        Assert.Equal(HealthKeys.Select(k => $"{k}:ok"), Vendors(body));
        Assert.Equal(users, environment.Alloy.Users.Count);
        Assert.Empty(environment.Servers["alloy"].RequestsTo("POST", "/users"));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task List_VendorFilter_AsksOnlyThoseVendors_AndAnUnknownVendorIs400(HostKind host)
    {
        var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var before = environment.Servers.ToDictionary(s => s.Key, s => s.Value.Requests.Count);

        var filtered = await Client(host).SendAsync(Get("/api/connections?vendor=fivetran&vendor=polytomic", environment.Bearer(customer.CustomerId)));
        var unknown = await Client(host).SendAsync(Get("/api/connections?vendor=fivetran&vendor=zapier", environment.Bearer(customer.CustomerId)));

        var body = await filtered.ReadJsonAsync();
        Assert.Equal(["fivetran:ok", "polytomic:ok"], Vendors(body));
        Assert.Equal(
            customer.Expected.Where(e => e.StartsWith("fivetran/", StringComparison.Ordinal) || e.StartsWith("polytomic/", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            Entries(body).Order(StringComparer.Ordinal));
        Assert.Equal(before["alloy"], environment.Servers["alloy"].Requests.Count);
        Assert.Equal(before["integration-app"], environment.Servers["integration-app"].Requests.Count);
        var problem = await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("vendor", out _));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task List_SecondListingWithinTheTtl_MakesNoVendorCall_AndAnIssuanceDropsTheEntry(HostKind host)
    {
        var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var first = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer.CustomerId)));
        var firstBody = await first.ReadJsonAsync();
        var afterFirst = environment.VendorRequestCount;

        var second = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer.CustomerId)));

        Assert.Equal(firstBody.GetRawText(), (await second.ReadJsonAsync()).GetRawText());
        Assert.Equal(afterFirst, environment.VendorRequestCount);

        // A successful issuing call for the customer drops its entry: the next listing asks the vendors again.
        var issued = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token", environment.Bearer(customer.CustomerId)));
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var third = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer.CustomerId)));
        await third.ReadJsonAsync();
        Assert.True(environment.VendorRequestCount > afterFirst);
    }

    [Theory]
    [MemberData(nameof(HostsAndFaults))]
    public async Task List_OneVendorFailing_IsUnavailable_TheOthersAreListed_Status200(HostKind host, VendorFault fault)
    {
        foreach (var vendor in AllVendors)
        {
            var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
            var server = environment.Servers[vendor];
            var before = server.Requests.Count;
            server.Fault = fault;
            HttpResponseMessage response;
            try
            {
                response = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer.CustomerId)));
            }
            finally
            {
                server.Fault = VendorFault.None;
            }

            var raw = await response.Content.ReadAsStringAsync();
            var body = await response.ReadJsonAsync();
            Assert.Equal(HealthKeys.Select(k => $"{k}:{(k == HealthKey(vendor) ? "unavailable" : "ok")}"), Vendors(body));
            Assert.Equal(
                customer.Expected.Where(e => !e.StartsWith(vendor + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
                Entries(body).Order(StringComparer.Ordinal));
            Assert.True(server.Requests.Count > before, $"{vendor} was not asked");
            Assert.DoesNotContain("vendor-raw-body-marker", raw, StringComparison.Ordinal);

            // An unavailable vendor is not cached: the next listing asks it again and gets its connections.
            var again = await Client(host).SendAsync(Get("/api/connections", environment.Bearer(customer.CustomerId)));
            var againBody = await again.ReadJsonAsync();
            Assert.Equal(HealthKeys.Select(k => $"{k}:ok"), Vendors(againBody));
            Assert.Equal(customer.Expected.Order(StringComparer.Ordinal), Entries(againBody).Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task List_HugeMembraneListing_IsBoundedByThePageLimit_Never500(HostKind host)
    {
        // More pages than the client follows (the simulation's default page is 100 items): the listing stops at the bound.
        var customer = ConnectionsEnvironment.NewCustomerId();
        for (var i = 0; i < (ConnectIssuer.IntegrationApp.MembraneClient.MaxPages * 100) + 150; i++)
        {
            environment.Membrane.SeedConnection(customer, "hubspot", ConnectIssuer.Sandbox.SimulatedConnectionState.Healthy);
        }

        var membrane = environment.Servers["integration-app"];
        var before = membrane.Requests.Count;

        var response = await Client(host).SendAsync(Get("/api/connections?vendor=integration-app", environment.Bearer(customer)));

        var body = await response.ReadJsonAsync();
        Assert.Equal(["integrationApp:ok"], Vendors(body));
        Assert.Equal(ConnectIssuer.IntegrationApp.MembraneClient.MaxPages * 100, body.GetProperty("connections").GetArrayLength());
        Assert.Equal(ConnectIssuer.IntegrationApp.MembraneClient.MaxPages, membrane.Requests.Count - before);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Delete_OwnConnection_Is204_TheVendorGotTheDelete_AndTheListingNoLongerHasIt(HostKind host)
    {
        var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var bearer = environment.Editor(customer.CustomerId);
        var listed = await (await Client(host).SendAsync(Get("/api/connections", bearer))).ReadJsonAsync();
        Assert.Equal(customer.Expected.Count, listed.GetProperty("connections").GetArrayLength());

        var deleted = new List<string>();
        foreach (var vendor in AllVendors)
        {
            var id = customer.Ids[vendor][0];
            var server = environment.Servers[vendor];

            var response = await Client(host).SendAsync(Delete($"/api/connections/{vendor}/{id}", bearer));

            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{vendor}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Single(server.Requests, r => r.Method == "DELETE" && r.PathAndQuery.Contains(id, StringComparison.Ordinal));
            deleted.Add(id);
        }

        // The delete dropped the cached listing: the next one is fresh and no longer has the deleted connections.
        var after = await (await Client(host).SendAsync(Get("/api/connections", bearer))).ReadJsonAsync();
        Assert.Equal(
            customer.Expected.Where(e => !deleted.Any(id => e.Contains("/" + id + "/", StringComparison.Ordinal))).Order(StringComparer.Ordinal),
            Entries(after).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Delete_ForeignOrUnknownConnection_Is404_AndNoVendorDeleteIsMade(HostKind host)
    {
        var owner = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var other = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var bearer = environment.Editor(other.CustomerId);
        var deletesBefore = environment.Servers.Values.Sum(s => s.Requests.Count(r => r.Method == "DELETE"));

        var details = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vendor in AllVendors)
        {
            var foreign = await Client(host).SendAsync(Delete($"/api/connections/{vendor}/{owner.Ids[vendor][0]}", bearer));
            var unknown = await Client(host).SendAsync(Delete($"/api/connections/{vendor}/no_such_connection_42", bearer));

            details.Add((await foreign.AssertProblemAsync(HttpStatusCode.NotFound, "not_found")).GetProperty("detail").GetString()!);
            details.Add((await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not_found")).GetProperty("detail").GetString()!);
        }

        var unknownVendor = await Client(host).SendAsync(Delete($"/api/connections/zapier/{owner.Ids["fivetran"][0]}", bearer));
        details.Add((await unknownVendor.AssertProblemAsync(HttpStatusCode.NotFound, "not_found")).GetProperty("detail").GetString()!);

        Assert.Single(details);
        Assert.Equal(deletesBefore, environment.Servers.Values.Sum(s => s.Requests.Count(r => r.Method == "DELETE")));

        // The owner still has all of them.
        var listed = await (await Client(host).SendAsync(Get("/api/connections", environment.Bearer(owner.CustomerId)))).ReadJsonAsync();
        Assert.Equal(owner.Expected.Order(StringComparer.Ordinal), Entries(listed).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Delete_WithoutTheDisconnectRole_Is403_EvenForAnAdmin_AndNoVendorDeleteIsMade(HostKind host)
    {
        var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var deletesBefore = environment.Servers.Values.Sum(s => s.Requests.Count(r => r.Method == "DELETE"));

        var plain = await Client(host).SendAsync(Delete($"/api/connections/fivetran/{customer.Ids["fivetran"][0]}", environment.Bearer(customer.CustomerId)));
        var admin = await Client(host).SendAsync(Delete(
            $"/api/connections/polytomic/{customer.Ids["polytomic"][0]}", environment.Bearer(customer.CustomerId, "connect-admin")));

        await plain.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await admin.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(deletesBefore, environment.Servers.Values.Sum(s => s.Requests.Count(r => r.Method == "DELETE")));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Membrane_IsCalledWithATokenForThatCustomer_VerifiableWithTheWorkspaceSecret(HostKind host)
    {
        var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var membrane = environment.Servers["integration-app"];
        var before = membrane.Requests.Count;

        var response = await Client(host).SendAsync(Get("/api/connections?vendor=integration-app", environment.Bearer(customer.CustomerId)));

        await response.ReadJsonAsync();
        var call = Assert.Single(membrane.Requests.Skip(before));
        Assert.Equal("GET", call.Method);
        Assert.StartsWith("/connections?", call.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("includeArchived=false", call.PathAndQuery, StringComparison.Ordinal);
        var token = call.Headers["Authorization"]["Bearer ".Length..];
        var secret = ConnectionsEnvironment.SecretValues[SecretNames.IntegrationAppWorkspaceSecret];
        Assert.True(Jwt.VerifyHmac(token, HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(secret)));
        var (header, payload) = Jwt.Decode(token);
        Assert.Equal("HS512", header.GetProperty("alg").GetString());
        Assert.Equal(customer.CustomerId, payload.GetProperty("id").GetString());
        Assert.Equal(ConnectionsEnvironment.WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.False(payload.TryGetProperty("isAdmin", out _));
        Assert.InRange(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64(), 1, 5 * 60);

        // Neither the workspace secret nor the minted token reaches the logs.
        await Task.Delay(200);
        var lines = environment.App(host).Logs.Lines;
        Assert.DoesNotContain(lines, line => line.Contains(token, StringComparison.Ordinal) || line.Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task ListingAndDeleting_CountAgainstTheCustomersRateLimit(HostKind host)
    {
        var customer = environment.Seed(ConnectionsEnvironment.NewCustomerId());
        var bearer = environment.Editor(customer.CustomerId);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < ConnectionsEnvironment.PermitsPerMinute - 1; i++)
        {
            statuses.Add((await Client(host).SendAsync(Get("/api/connections", bearer))).StatusCode);
        }

        statuses.Add((await Client(host).SendAsync(Delete($"/api/connections/alloy/{customer.Ids["alloy"][0]}", bearer))).StatusCode);
        var limitedList = await Client(host).SendAsync(Get("/api/connections", bearer));
        var limitedDelete = await Client(host).SendAsync(Delete($"/api/connections/alloy/{customer.Ids["alloy"][1]}", bearer));

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, ConnectionsEnvironment.PermitsPerMinute - 1).Append(HttpStatusCode.NoContent), statuses);
        await limitedList.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        await limitedDelete.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limitedList.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task BothRoutes_WithoutABearer_Are401(HostKind host)
    {
        var list = await Client(host).SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/connections"));
        var delete = await Client(host).SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/connections/fivetran/some_id"));

        await list.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await delete.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private HttpClient Client(HostKind host) => environment.App(host).Client;

    private static string HealthKey(string vendor) => vendor == "integration-app" ? "integrationApp" : vendor;

    private static IEnumerable<string> Vendors(JsonElement body) =>
        body.GetProperty("vendors").EnumerateObject().Select(p => $"{p.Name}:{p.Value.GetString()}").Order(StringComparer.Ordinal);

    private static IEnumerable<string> Entries(JsonElement body) =>
        body.GetProperty("connections").EnumerateArray().Select(c =>
            $"{c.GetProperty("vendor").GetString()}/{c.GetProperty("connectionId").GetString()}/{c.GetProperty("kind").GetString()}/{c.GetProperty("status").GetString()}");

    private static HttpRequestMessage Get(string path, string bearer) => WithBearer(new HttpRequestMessage(HttpMethod.Get, path), bearer);

    private static HttpRequestMessage Delete(string path, string bearer) => WithBearer(new HttpRequestMessage(HttpMethod.Delete, path), bearer);

    private static HttpRequestMessage WithBearer(HttpRequestMessage request, string bearer)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }
}
