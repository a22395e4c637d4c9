using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary>The simulation itself, over loopback with a plain HttpClient: the behaviour the flow tests rely on.</summary>
public sealed class FivetranSimulationTests : IAsyncLifetime, IDisposable
{
    private readonly FivetranSimulation _simulation = new(FivetranTestbed.ApiKey, FivetranTestbed.ApiSecret, [FivetranTestbed.GroupId]);
    private VendorServer _vendor = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _vendor = await VendorServer.StartAsync(_simulation);
        _http = new HttpClient { BaseAddress = new Uri(_vendor.BaseUrl) };
    }

    public async Task DisposeAsync() => await _vendor.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Api_WrongCredentials_Returns401()
    {
        using var request = Request(HttpMethod.Get, "/v1/connections?group_id=decent_dropsy", secret: "wrong");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Api_AcceptWithoutJsonOrPostWithoutJson_Returns406Or415()
    {
        using var xml = Request(HttpMethod.Get, "/v1/connections");
        xml.Headers.Accept.Clear();
        xml.Headers.Accept.ParseAdd("application/xml");
        using var text = Request(HttpMethod.Post, "/v1/connections");
        text.Content = new StringContent("{}", Encoding.UTF8, "text/plain");

        Assert.Equal(HttpStatusCode.NotAcceptable, (await _http.SendAsync(xml)).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _http.SendAsync(text)).StatusCode);
    }

    [Theory]
    [InlineData("""{"group_id":"decent_dropsy","service":"salesforce","config":{"schema":"ci_x"}}""", 400)]
    [InlineData("""{"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":true,"config":{"schema":"ci_x"}}""", 400)]
    [InlineData("""{"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":false,"config":{}}""", 400)]
    [InlineData("""{"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":false,"config":{"schema":"Ci-X"}}""", 400)]
    [InlineData("""{"group_id":"no_group","service":"salesforce","run_setup_tests":false,"config":{"schema":"ci_x"}}""", 404)]
    [InlineData("""{"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":false,"config":{"schema":"ci_x"},"connect_card_config":{"redirect_uri":"javascript:x"}}""", 400)]
    [InlineData("""{"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":false,"config":{"schema":"ci_x"}}""", 201)]
    public async Task Create_Validates(string json, int status)
    {
        var response = await PostAsync("/v1/connections", json);

        Assert.Equal(status, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(status == 201 ? "Success" : null, status == 201 ? body["code"]!.GetValue<string>() : null);
        Assert.NotNull(body["code"]);
    }

    [Fact]
    public async Task Create_DuplicateSchemaInGroup_Returns409AndKeepsOne()
    {
        const string json = """{"group_id":"decent_dropsy","service":"salesforce","run_setup_tests":false,"config":{"schema":"ci_dup"}}""";

        var first = await PostAsync("/v1/connections", json);
        var second = await PostAsync("/v1/connections", json);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("Conflict", JsonNode.Parse(await second.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        Assert.Single(_simulation.Connections);
        Assert.Equal(1, _simulation.CreateConflicts);
    }

    [Fact]
    public async Task List_MatchesSchemaExactlyAndPages()
    {
        _simulation.SeedConnection(FivetranTestbed.GroupId, "salesforce", "ci_a");
        _simulation.SeedConnection(FivetranTestbed.GroupId, "salesforce", "ci_ab");
        _simulation.SeedConnection(FivetranTestbed.GroupId, "hubspot", "ci_b");

        var exact = await GetDataAsync("/v1/connections?group_id=decent_dropsy&schema=ci_a");
        var inGroup = await GetDataAsync("/v1/groups/decent_dropsy/connections?schema=ci_ab");
        var page1 = await GetDataAsync("/v1/connections?group_id=decent_dropsy&limit=2");
        var page2 = await GetDataAsync($"/v1/connections?group_id=decent_dropsy&limit=2&cursor={page1["next_cursor"]!.GetValue<string>()}");

        Assert.Equal("ci_a", Assert.Single(exact["items"]!.AsArray())!["schema"]!.GetValue<string>());
        Assert.Equal("ci_ab", Assert.Single(inGroup["items"]!.AsArray())!["schema"]!.GetValue<string>());
        Assert.Equal(2, page1["items"]!.AsArray().Count);
        Assert.Single(page2["items"]!.AsArray());
        Assert.Null(page2["next_cursor"]);
    }

    [Fact]
    public async Task SandboxPages_SetupThenComplete_MarksConnectedAndLinksBackOnlyToTheSignedRedirect()
    {
        var id = _simulation.SeedConnection(FivetranTestbed.GroupId, "salesforce", "ci_pages");
        var card = JsonNode.Parse(await (await PostAsync($"/v1/connections/{id}/connect-card", """{"connect_card_config":{"redirect_uri":"https://app.example.com/back?a=1&b=<x>"}}""")).Content.ReadAsStringAsync())!;
        var uri = card["data"]!["connect_card"]!["uri"]!.GetValue<string>();
        Assert.Equal(id, card["data"]!["connector_id"]!.GetValue<string>());

        var setup = await _http.GetStringAsync(uri.Replace("redirect_uri=", "redirect_uri=https%3A%2F%2Fevil.example%2F&ignored=", StringComparison.Ordinal));
        var complete = await _http.PostAsync("/connect-card/complete", new FormUrlEncodedContent([new("auth", card["data"]!["connect_card"]!["token"]!.GetValue<string>())]));

        Assert.Contains("https://app.example.com/back?a=1&amp;b=&lt;x&gt;", setup, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", setup, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal("connected", Assert.Single(_simulation.Connections).SetupState);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/connect-card/setup?auth=forged.token.value")).StatusCode);
    }

    private async Task<JsonNode> GetDataAsync(string path)
    {
        using var request = Request(HttpMethod.Get, path);
        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        using var request = Request(HttpMethod.Post, path);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _http.SendAsync(request);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string secret = FivetranTestbed.ApiSecret)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FivetranTestbed.ApiKey}:{secret}")));
        request.Headers.TryAddWithoutValidation("Accept", "application/json;version=2");
        return request;
    }
}
