using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Http;

/// <summary>Body limits through the real server, in the pipeline's order (auth first, then limits).</summary>
public sealed class JsonBodyTests : IAsyncLifetime
{
    private RunningApp _server = null!;

    public async Task InitializeAsync() => _server = await TestApp.StartServerAsync(
        new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Development",
            ["RateLimit:PermitsPerMinute"] = "1000",
            ["IntegrationApp:WorkspaceKey"] = "ws",
            ["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests",
        },
        "Development");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("{}", "application/json")]
    [InlineData("{\"unknown\":[1,2,{\"x\":null}]}", "application/json; charset=utf-8")]
    [InlineData("{}", "application/vnd.acme+json")]
    [InlineData("", "text/plain")]
    public async Task Post_AcceptableBody_Returns200(string json, string contentType)
    {
        var response = await SendAsync(json, contentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Post_NoBodyAtAll_Returns200()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/integration-app/token");
        request.Headers.Add("X-Customer-Id", "org_1");

        Assert.Equal(HttpStatusCode.OK, (await _server.Client.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("{", "application/json", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("[]", "application/json", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("null", "application/json", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("\"text\"", "application/json", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("{\"a\":1,\"a\":2}", "application/json", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("{} trailing", "application/json", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("{}", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("{}", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("{}", "application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("{}", "application/jsonx", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    public async Task Post_BadBody_ReturnsDocumentedProblem(string json, string contentType, HttpStatusCode status, string code)
    {
        var response = await SendAsync(json, contentType);

        await response.AssertProblemAsync(status, code);
    }

    [Fact]
    public async Task Post_DeeplyNestedJson_Returns400()
    {
        var json = "{\"a\":" + new string('[', 200) + new string(']', 200) + "}";

        await (await SendAsync(json, "application/json")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Post_InvalidUtf8_Returns400()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/integration-app/token")
        {
            Content = new ByteArrayContent([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Customer-Id", "org_1");

        await (await _server.Client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData(16 * 1024, HttpStatusCode.OK)]
    [InlineData((16 * 1024) + 1, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(1024 * 1024, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Post_BodySize_LimitedTo16KiB(int size, HttpStatusCode expected)
    {
        var json = "{\"pad\":\"" + new string('x', size - 10) + "\"}";
        Assert.Equal(size, Encoding.UTF8.GetByteCount(json));

        var response = await SendAsync(json, "application/json");

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            await response.AssertProblemAsync(expected, "payload_too_large");
        }
    }

    [Fact]
    public async Task Post_OversizedChunkedBodyWithoutContentLength_Returns413()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/integration-app/token")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 40_000) + "\"}"))),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Customer-Id", "org_1");

        await (await _server.Client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Post_BadBodyWithoutCaller_Returns401First()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/integration-app/token") { Content = new StringContent("{", Encoding.UTF8, "text/plain") };

        await (await _server.Client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private Task<HttpResponseMessage> SendAsync(string json, string contentType)
    {
        var request = HttpExtensions.Post("/api/integration-app/token", json: json, contentType: contentType);
        request.Headers.Add("X-Customer-Id", "org_1");
        return _server.Client.SendAsync(request);
    }
}

/// <summary>Errors the framework answers itself still carry the contract's fields.</summary>
public sealed class FrameworkProblemTests
{
    [Theory]
    [InlineData("GET", "/api/nope", HttpStatusCode.NotFound, "not_found")]
    [InlineData("GET", "/api/integration-app/token", HttpStatusCode.MethodNotAllowed, "invalid_request")]
    [InlineData("DELETE", "/api/health", HttpStatusCode.MethodNotAllowed, "invalid_request")]
    public async Task UnknownRouteOrMethod_ReturnsContractProblem(string method, string path, HttpStatusCode status, string code)
    {
        await using var server = await TestApp.StartServerAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");

        var response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.AssertProblemAsync(status, code);
    }
}
