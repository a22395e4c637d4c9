using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Local;

/// <summary>
/// The simulations' connection calls (issue 15), over loopback with a plain HttpClient: each vendor's list and delete
/// exactly as <c>docs/vendors/</c> records them, their auth checks and pages, the seed states, the break control, and
/// the simulated flows that make a connection appear.
/// </summary>
public sealed class SandboxConnectionsTests
{
    private const string FivetranKey = "fivetran-key";
    private const string FivetranSecret = "fivetran-secret";
    private const string Group = "group_a";
    private const string PolytomicKey = "polytomic-key";
    private const string AlloyKey = "alloy-key";
    private const string WorkspaceKey = "ws-key";
    private const string WorkspaceSecret = "membrane-workspace-secret-for-tests";

    // ---------------------------------------------------------------------------------------------------------------
    // Fivetran
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Fivetran_SeededStates_ListWithTheirVendorFields()
    {
        var simulation = new FivetranSimulation(FivetranKey, FivetranSecret, [Group]);
        var healthy = simulation.SeedConnection(Group, "salesforce", "ci_a_salesforce", SimulatedConnectionState.Healthy);
        var pending = simulation.SeedConnection(Group, "hubspot", "ci_a_hubspot", SimulatedConnectionState.Pending);
        var broken = simulation.SeedConnection(Group, "google_sheets", "ci_a_google_sheets", SimulatedConnectionState.Broken);
        var paused = simulation.SeedConnection(Group, "salesforce", "ci_b_salesforce", SimulatedConnectionState.Paused);
        Assert.Throws<ArgumentOutOfRangeException>(() => simulation.SeedConnection(Group, "salesforce", "ci_c", SimulatedConnectionState.Archived));
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = FivetranClient(vendor);

        var items = (await GetJsonAsync(http, $"/v1/groups/{Group}/connections?limit=1000"))["data"]!["items"]!.AsArray();

        Assert.Equal([healthy, pending, broken, paused], items.Select(i => i!["id"]!.GetValue<string>()));
        var byId = items.ToDictionary(i => i!["id"]!.GetValue<string>(), i => i!);
        Assert.Equal("connected", byId[healthy]["status"]!["setup_state"]!.GetValue<string>());
        Assert.Empty(byId[healthy]["status"]!["tasks"]!.AsArray());
        Assert.Equal("incomplete", byId[pending]["status"]!["setup_state"]!.GetValue<string>());
        Assert.Equal("broken", byId[broken]["status"]!["setup_state"]!.GetValue<string>());
        Assert.Equal("reconnect", byId[broken]["status"]!["tasks"]![0]!["code"]!.GetValue<string>());
        Assert.True(byId[paused]["paused"]!.GetValue<bool>());
        Assert.Equal("paused", byId[paused]["status"]!["sync_state"]!.GetValue<string>());
        Assert.False(byId[healthy]["paused"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Fivetran_GroupListing_PagesWithNextCursorAndExactSchemaLookupFindsOne()
    {
        var simulation = new FivetranSimulation(FivetranKey, FivetranSecret, [Group]);
        var ids = Enumerable.Range(0, 5).Select(i => simulation.SeedConnection(Group, "salesforce", $"ci_c{i}_salesforce", SimulatedConnectionState.Healthy)).ToList();
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = FivetranClient(vendor);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var data = (await GetJsonAsync(http, $"/v1/groups/{Group}/connections?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))))["data"]!;
            seen.AddRange(data["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = data["next_cursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);
        var exact = (await GetJsonAsync(http, $"/v1/connections?group_id={Group}&schema=ci_c3_salesforce"))["data"]!["items"]!.AsArray();

        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);
        Assert.Equal(ids[3], Assert.Single(exact)!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri($"/v1/groups/{Group}/connections?limit=1001", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Fivetran_Delete_Answers200SuccessAndRemovesTheConnection_UnknownIs404_WrongKeyIs401()
    {
        var simulation = new FivetranSimulation(FivetranKey, FivetranSecret, [Group]);
        var id = simulation.SeedConnection(Group, "salesforce", "ci_d_salesforce", SimulatedConnectionState.Healthy);
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = FivetranClient(vendor);
        using var stranger = FivetranClient(vendor, secret: "wrong");

        var refused = await stranger.DeleteAsync(new Uri($"/v1/connections/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Single(simulation.Connections);

        var deleted = await http.DeleteAsync(new Uri($"/v1/connections/{id}", UriKind.Relative));
        var again = await http.DeleteAsync(new Uri($"/v1/connections/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("Success", JsonNode.Parse(await deleted.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        Assert.Empty(simulation.Connections);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"/v1/connections/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Fivetran_ConnectCardCompletion_RepairsABrokenConnection()
    {
        var simulation = new FivetranSimulation(FivetranKey, FivetranSecret, [Group]);
        var id = simulation.SeedConnection(Group, "salesforce", "ci_e_salesforce", SimulatedConnectionState.Pending);
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = FivetranClient(vendor);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(vendor.BaseUrl) };

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync(new Uri($"/_control/connections/{id}/break", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync(new Uri("/_control/connections/nope/break", UriKind.Relative), null)).StatusCode);
        Assert.Equal("broken", Assert.Single(simulation.Connections).SetupState);
        Assert.Contains(id, await browser.GetStringAsync(new Uri("/_control", UriKind.Relative)), StringComparison.Ordinal);

        var card = await http.PostAsync(
            new Uri($"/v1/connections/{id}/connect-card", UriKind.Relative),
            new StringContent("""{"connect_card_config":{"redirect_uri":"https://app.example.com/done"}}""", Encoding.UTF8, "application/json"));
        var token = JsonNode.Parse(await card.Content.ReadAsStringAsync())!["data"]!["connect_card"]!["token"]!.GetValue<string>();
        var complete = await browser.PostAsync(new Uri("/connect-card/complete", UriKind.Relative), new FormUrlEncodedContent([new("auth", token)]));

        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        var repaired = Assert.Single(simulation.Connections);
        Assert.Equal("connected", repaired.SetupState);
        Assert.Empty(repaired.Tasks);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Polytomic
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Polytomic_ListAndDelete_StatusFieldsAnd204_UnknownIs404_WrongKeyIs401()
    {
        var simulation = new PolytomicSimulation(PolytomicKey);
        var healthy = simulation.AddConnection("ci.a.crm", "hubspot", SimulatedConnectionState.Healthy);
        var broken = simulation.AddConnection("ci.a.db", "postgresql", SimulatedConnectionState.Broken);
        Assert.Throws<ArgumentOutOfRangeException>(() => simulation.AddConnection("ci.a.x", "hubspot", SimulatedConnectionState.Pending));
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = PolytomicClient(vendor, PolytomicKey);
        using var stranger = PolytomicClient(vendor, "wrong");

        var items = (await GetJsonAsync(http, "/api/connections"))["data"]!.AsArray().ToDictionary(i => i!["id"]!.GetValue<string>(), i => i!);
        Assert.Equal("healthy", items[healthy.Id]["status"]!.GetValue<string>());
        Assert.Equal("", items[healthy.Id]["status_error"]!.GetValue<string>());
        Assert.Equal("hubspot", items[healthy.Id]["type"]!["id"]!.GetValue<string>());
        Assert.NotEqual("healthy", items[broken.Id]["status"]!.GetValue<string>());
        Assert.NotEqual("", items[broken.Id]["status_error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.DeleteAsync(new Uri($"/api/connections/{healthy.Id}", UriKind.Relative))).StatusCode);

        var deleted = await http.DeleteAsync(new Uri($"/api/connections/{healthy.Id}", UriKind.Relative));
        var again = await http.DeleteAsync(new Uri($"/api/connections/{healthy.Id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("not_found", JsonNode.Parse(await again.Content.ReadAsStringAsync())!["key"]!.GetValue<string>());
        Assert.Equal(broken.Id, Assert.Single(simulation.Connections).Id);
    }

    [Fact]
    public async Task Polytomic_BreakThenReconnectSession_MakesTheConnectionHealthyAgain()
    {
        var simulation = new PolytomicSimulation(PolytomicKey);
        var connection = simulation.AddConnection("ci.f.crm", "hubspot");
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = PolytomicClient(vendor, PolytomicKey);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(vendor.BaseUrl) };

        var form = await browser.PostAsync(new Uri($"/_control/connections/{connection.Id}/break", UriKind.Relative), new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.SeeOther, form.StatusCode);
        Assert.Equal("/_control", form.Headers.Location!.OriginalString);
        Assert.Equal("unhealthy", Assert.Single(simulation.Connections).Status);

        var session = await http.PostAsync(
            new Uri("/api/connections/connect", UriKind.Relative),
            new StringContent(
                $$"""{"name":"ci.f.crm","redirect_url":"https://app.example.com/done","connection":"{{connection.Id}}"}""", Encoding.UTF8, "application/json"));
        var token = JsonNode.Parse(await session.Content.ReadAsStringAsync())!["data"]!["token"]!.GetValue<string>();
        var saved = await browser.PostAsync(new Uri($"/connect/save?token={token}", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var repaired = Assert.Single(simulation.Connections);
        Assert.Equal(("healthy", ""), (repaired.Status, repaired.StatusError));
        Assert.Equal(connection.Id, repaired.Id);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Alloy
    // ---------------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Alloy_Credentials_ListedPerUserOnTheSchemesPath_DeleteOnlyTheUsersOwn(bool scheme202509)
    {
        var simulation = new AlloySimulation(AlloyKey) { RequiredApiVersion = scheme202509 ? "2025-09" : null };
        var alice = simulation.AddUser("ci.alice");
        var bob = simulation.AddUser("ci.bob");
        var aliceSlack = simulation.AddCredential(alice.UserId, "slack");
        var aliceShopify = simulation.AddCredential("ci.alice", "shopify", "Alice's shop");
        var bobSlack = simulation.AddCredential(bob.UserId, "slack");
        await using var vendor = await VendorServer.StartAsync(simulation, scheme202509 ? null : "/2024-03");
        using var http = AlloyClient(vendor, AlloyKey, scheme202509);
        var listPath = (string user) => scheme202509 ? $"credentials/users/{user}" : $"users/{user}/credentials";
        var otherPath = (string user) => scheme202509 ? $"users/{user}/credentials" : $"credentials/users/{user}";

        var listed = (await GetJsonAsync(http, listPath(alice.UserId)))["data"]!.AsArray();

        Assert.Equal([aliceSlack.CredentialId, aliceShopify.CredentialId], listed.Select(c => c!["credentialId"]!.GetValue<string>()));
        Assert.Equal("slack", listed[0]!["type"]!.GetValue<string>());
        Assert.NotNull(listed[0]!["createdAt"]);
        Assert.Equal(scheme202509 ? "Alice's shop" : null, listed[1]!["name"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(otherPath(alice.UserId), UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(listPath("ci.alice"), UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(listPath("unknown"), UriKind.Relative))).StatusCode);

        // Bob's credential through Alice's user: 404, nothing deleted.
        var foreign = await http.DeleteAsync(new Uri($"users/{alice.UserId}/credentials/{bobSlack.CredentialId}", UriKind.Relative));
        var own = await http.DeleteAsync(new Uri($"users/{alice.UserId}/credentials/{aliceSlack.CredentialId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.True(JsonNode.Parse(await own.Content.ReadAsStringAsync())!["success"]!.GetValue<bool>());
        Assert.Equal([aliceShopify.CredentialId, bobSlack.CredentialId], simulation.Credentials.Select(c => c.CredentialId));
    }

    [Fact]
    public async Task Alloy_Credentials_WrongKeyOrMissingVersion_Refused()
    {
        var simulation = new AlloySimulation(AlloyKey);
        var user = simulation.AddUser("ci.carol");
        var credential = simulation.AddCredential(user.UserId, "slack");
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var wrongKey = AlloyClient(vendor, "wrong", versioned: true);
        using var noVersion = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl) };
        noVersion.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AlloyKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.GetAsync(new Uri($"credentials/users/{user.UserId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.DeleteAsync(new Uri($"users/{user.UserId}/credentials/{credential.CredentialId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await noVersion.GetAsync(new Uri($"credentials/users/{user.UserId}", UriKind.Relative))).StatusCode);
        Assert.Single(simulation.Credentials);
    }

    [Fact]
    public async Task Alloy_SandboxAuthorizationPage_AddsACredentialForTheTokensUserOnly()
    {
        var simulation = new AlloySimulation(AlloyKey);
        var user = simulation.AddUser("ci.dave");
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = AlloyClient(vendor, AlloyKey, versioned: true);
        var token = (await GetJsonAsync(http, $"users/{user.UserId}/token?userId={user.UserId}"))["token"]!.GetValue<string>();
        using var browser = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl) };

        var page = await browser.GetStringAsync(new Uri($"/connect?token={Uri.EscapeDataString(token)}", UriKind.Relative));
        var forged = await browser.PostAsync(new Uri("/connect/authorize", UriKind.Relative), new FormUrlEncodedContent([new("token", token + "x"), new("app", "slack")]));
        var authorized = await browser.PostAsync(new Uri("/connect/authorize", UriKind.Relative), new FormUrlEncodedContent([new("token", token), new("app", "hubspot")]));

        Assert.Contains("ci.dave", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        var credential = Assert.Single(simulation.Credentials);
        Assert.Equal((user.UserId, "hubspot"), (credential.UserId, credential.Type));
        Assert.Equal(credential.CredentialId, (await GetJsonAsync(http, $"credentials/users/{user.UserId}"))["data"]![0]!["credentialId"]!.GetValue<string>());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Membrane (Integration.app)
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Membrane_CustomerToken_SeesOnlyItsOwnUnarchivedConnections()
    {
        var simulation = new MembraneSimulation(WorkspaceSecret, WorkspaceKey);
        var healthy = simulation.SeedConnection("org_1", "hubspot", SimulatedConnectionState.Healthy);
        var broken = simulation.SeedConnection("org_1", "salesforce", SimulatedConnectionState.Broken);
        var pending = simulation.SeedConnection("org_1", "slack", SimulatedConnectionState.Pending);
        var archived = simulation.SeedConnection("org_1", "jira", SimulatedConnectionState.Archived);
        var other = simulation.SeedConnection("org_2", "hubspot", SimulatedConnectionState.Healthy);
        Assert.Throws<ArgumentOutOfRangeException>(() => simulation.SeedConnection("org_1", "x", SimulatedConnectionState.Paused));
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = MembraneClient(vendor, await CustomerTokenAsync("org_1"));

        var items = (await GetJsonAsync(http, "/connections"))["items"]!.AsArray().ToDictionary(i => i!["id"]!.GetValue<string>(), i => i!);
        var withArchived = (await GetJsonAsync(http, "/connections?includeArchived=true"))["items"]!.AsArray();

        Assert.Equal([healthy.Id, broken.Id, pending.Id], items.Keys);
        Assert.Equal((true, false, "READY"), (items[healthy.Id]["connected"]!.GetValue<bool>(), items[healthy.Id]["disconnected"]!.GetValue<bool>(), items[healthy.Id]["state"]!.GetValue<string>()));
        Assert.Equal("hubspot", items[healthy.Id]["integration"]!["key"]!.GetValue<string>());
        Assert.True(items[broken.Id]["disconnected"]!.GetValue<bool>());
        Assert.Equal("CLIENT_ACTION_REQUIRED", items[pending.Id]["state"]!.GetValue<string>());
        Assert.Equal("connect", items[pending.Id]["clientAction"]!["type"]!.GetValue<string>());
        Assert.Null(items[healthy.Id]["archivedAt"]);
        Assert.Contains(withArchived, i => i!["id"]!.GetValue<string>() == archived.Id && i["archivedAt"] is not null);
        Assert.DoesNotContain(withArchived, i => i!["id"]!.GetValue<string>() == other.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"/connections/{other.Id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Membrane_Listing_PagesWithCursor()
    {
        var simulation = new MembraneSimulation(WorkspaceSecret, WorkspaceKey);
        var ids = Enumerable.Range(0, 5).Select(i => simulation.SeedConnection("org_p", $"app{i}", SimulatedConnectionState.Healthy).Id).ToList();
        simulation.SeedConnection("org_q", "app", SimulatedConnectionState.Healthy);
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = MembraneClient(vendor, await CustomerTokenAsync("org_p"));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = await GetJsonAsync(http, "/connections?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(body["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = body["cursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("/connections?limit=0", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("/connections?cursor=garbage!", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Membrane_TokensWithAnotherSecretIssuerAlgorithmOrExpired_Are401()
    {
        var simulation = new MembraneSimulation(WorkspaceSecret, WorkspaceKey);
        simulation.SeedConnection("org_1", "hubspot", SimulatedConnectionState.Healthy);
        await using var vendor = await VendorServer.StartAsync(simulation);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] refused =
        [
            await CustomerTokenAsync("org_1", secret: "another-workspace-secret-entirely"),
            await CustomerTokenAsync("org_1", workspaceKey: "another-workspace"),
            HandMade("HS256", WorkspaceSecret, new JsonObject { ["id"] = "org_1", ["iss"] = WorkspaceKey, ["exp"] = now - 5 }),
            HandMade("none", WorkspaceSecret, new JsonObject { ["id"] = "org_1", ["iss"] = WorkspaceKey, ["exp"] = now + 600 }),
            HandMade("HS256", WorkspaceSecret, new JsonObject { ["iss"] = WorkspaceKey, ["exp"] = now + 600 }),
            "not-a-jwt",
        ];

        foreach (var token in refused)
        {
            using var http = MembraneClient(vendor, token);
            var response = await http.GetAsync(new Uri("/connections", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("unauthorized", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]!.GetValue<string>());
        }

        using var anonymous = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/connections", UriKind.Relative))).StatusCode);
        using var handMadeHs256 = MembraneClient(vendor, HandMade("HS256", WorkspaceSecret, new JsonObject { ["id"] = "org_1", ["iss"] = WorkspaceKey, ["exp"] = now + 600 }));
        Assert.Single((await GetJsonAsync(handMadeHs256, "/connections"))["items"]!.AsArray());
        Assert.Equal(refused.Length + 1, simulation.UnauthorizedCalls);
    }

    [Fact]
    public async Task Membrane_Delete_ArchivesOwnConnection_AnotherCustomersIs404AndUntouched()
    {
        var simulation = new MembraneSimulation(WorkspaceSecret, WorkspaceKey);
        var mine = simulation.SeedConnection("org_1", "hubspot", SimulatedConnectionState.Healthy);
        var theirs = simulation.SeedConnection("org_2", "hubspot", SimulatedConnectionState.Healthy);
        await using var vendor = await VendorServer.StartAsync(simulation);
        using var http = MembraneClient(vendor, await CustomerTokenAsync("org_1"));

        var foreign = await http.DeleteAsync(new Uri($"/connections/{theirs.Id}", UriKind.Relative));
        var own = await http.DeleteAsync(new Uri($"/connections/{mine.Id}", UriKind.Relative));
        var again = await http.DeleteAsync(new Uri($"/connections/{mine.Id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.NotNull(JsonNode.Parse(await own.Content.ReadAsStringAsync())!["archivedAt"]);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.NotNull(simulation.Connections.Single(c => c.Id == mine.Id).ArchivedAt);
        Assert.Null(simulation.Connections.Single(c => c.Id == theirs.Id).ArchivedAt);
        Assert.Empty((await GetJsonAsync(http, "/connections"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Membrane_ConnectPageAndReconnectLink_CreateAndRepairTheCustomersConnection()
    {
        var simulation = new MembraneSimulation(WorkspaceSecret, WorkspaceKey);
        await using var vendor = await VendorServer.StartAsync(simulation);
        var token = await CustomerTokenAsync("org_7");
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(vendor.BaseUrl) };
        using var api = MembraneClient(vendor, token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri("/embed/integrations/hubspot/connect?token=forged", UriKind.Relative))).StatusCode);
        Assert.Contains("org_7", await browser.GetStringAsync(new Uri($"/embed/integrations/hubspot/connect?token={token}", UriKind.Relative)), StringComparison.Ordinal);
        var connected = await browser.PostAsync(new Uri("/embed/integrations/hubspot/connect", UriKind.Relative), new FormUrlEncodedContent([new("token", token)]));
        Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        var connection = Assert.Single(simulation.Connections);
        Assert.Equal(("org_7", "hubspot", false), (connection.CustomerId, connection.IntegrationKey, connection.Disconnected));

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync(new Uri($"/_control/connections/{connection.Id}/break", UriKind.Relative), null)).StatusCode);
        Assert.True((await GetJsonAsync(api, $"/connections/{connection.Id}"))["disconnected"]!.GetValue<bool>());
        var otherCustomer = await CustomerTokenAsync("org_8");
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(new Uri($"/embed/connections/{connection.Id}/refresh?token={otherCustomer}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri($"/embed/connections/{connection.Id}/refresh?token={token}", UriKind.Relative))).StatusCode);
        var refreshed = await browser.PostAsync(new Uri($"/embed/connections/{connection.Id}/refresh", UriKind.Relative), new FormUrlEncodedContent([new("token", token)]));

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var item = await GetJsonAsync(api, $"/connections/{connection.Id}");
        Assert.Equal((false, true), (item["disconnected"]!.GetValue<bool>(), item["connected"]!.GetValue<bool>()));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>A customer token minted by the real signer (HS512 by default), as the service's Membrane client will send it.</summary>
    private static async Task<string> CustomerTokenAsync(string customerId, string secret = WorkspaceSecret, string workspaceKey = WorkspaceKey)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Secrets:{SecretNames.IntegrationAppWorkspaceSecret}"] = secret,
        }).Build();
        var store = new SecretStore(null, configuration, Options.Create(new KeyVaultOptions()), TimeProvider.System, NullLogger<SecretStore>.Instance);
        var signer = new IntegrationAppSigner(store, Options.Create(new IntegrationAppOptions { WorkspaceKey = workspaceKey }), TimeProvider.System);
        var token = await signer.MintAsync(new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = customerId, ["name"] = "Customer" });
        return token.Value;
    }

    private static string HandMade(string algorithm, string secret, JsonObject claims)
    {
        var header = Jwt.Base64Url(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = algorithm, ["typ"] = "JWT" }.ToJsonString()));
        var payload = Jwt.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = algorithm == "none" ? "" : Jwt.Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static HttpClient FivetranClient(VendorServer vendor, string secret = FivetranSecret)
    {
        var http = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FivetranKey}:{secret}")));
        return http;
    }

    private static HttpClient PolytomicClient(VendorServer vendor, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static HttpClient AlloyClient(VendorServer vendor, string key, bool versioned)
    {
        var http = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl + (versioned ? "/" : "/2024-03/")) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (versioned)
        {
            http.DefaultRequestHeaders.Add("x-api-version", "2025-09");
        }

        return http;
    }

    private static HttpClient MembraneClient(VendorServer vendor, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(vendor.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
