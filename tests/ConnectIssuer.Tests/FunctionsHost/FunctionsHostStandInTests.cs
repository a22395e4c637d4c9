using System.Security.Cryptography;
using ConnectIssuer.FunctionsHost;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.FunctionsHost;

/// <summary>The real published worker behind the host stand-in, over HTTP, as <c>func start</c> serves it.</summary>
public sealed class FunctionsHostStandInTests(FunctionsAppFixture app) : IClassFixture<FunctionsAppFixture>
{
    [Fact]
    public async Task Health_Returns200Json()
    {
        var response = await app.Functions.Client.GetAsync("/api/health");

        var body = await response.ReadJsonAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("configured", body.GetProperty("vendors").GetProperty("integrationApp").GetString());
        Assert.Contains(app.Host.Invocations, i => i.FunctionName == "Health" && i.Status == InvocationStatus.Success);
    }

    [Fact]
    public async Task IntegrationAppToken_CustomerHeader_Returns200WithSignedToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/integration-app/token");
        request.Headers.Add("X-Customer-Id", "org_42");
        request.Headers.Add("X-Customer-Name", "Acme");

        var response = await app.Functions.Client.SendAsync(request);

        var body = await response.ReadJsonAsync();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("org_42", body.GetProperty("customerId").GetString());
        var token = body.GetProperty("token").GetString()!;
        Assert.True(Jwt.VerifyHmac(token, HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(FunctionsAppFixture.WorkspaceSecret)));
        Assert.Equal("org_42", Jwt.Decode(token).Payload.GetProperty("id").GetString());
        Assert.DoesNotContain(app.Host.Logs, l => l.Contains(token, StringComparison.Ordinal) || l.Contains(FunctionsAppFixture.WorkspaceSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FivetranConnectionStatus_NotConfigured_RouteValueReachesTheFunction()
    {
        // A plausible id gets as far as the Fivetran settings (503); a null id (an unbound route value) would be a 404.
        var configured = await GetAsCustomerAsync("/api/fivetran/connections/abc");
        var implausible = await GetAsCustomerAsync("/api/fivetran/connections/a.b");

        await configured.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        await implausible.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var invocations = app.Host.Invocations.Where(i => i.FunctionName == "FivetranConnectionStatus").ToList();
        Assert.True(invocations.Count >= 2);
        Assert.All(invocations, i => Assert.Equal(InvocationStatus.Success, i.Status));
    }

    [Theory]
    [InlineData("GET", "/api/no-such-route")]
    [InlineData("GET", "/no-prefix/health")]
    [InlineData("POST", "/api/health")]
    [InlineData("GET", "/api/integration-app/token")]
    public async Task UnmatchedRouteOrMethod_ReturnsEmpty404WithoutInvocation(string method, string path)
    {
        var before = app.Host.Invocations.Count;

        var response = await app.Functions.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(before, app.Host.Invocations.Count);
    }

    [Theory]
    [InlineData("GET", "/api/health", null)]
    [InlineData("GET", "/api/health?probe=1", null)]
    [InlineData("GET", "/api/Health", null)]
    [InlineData("POST", "/api/integration-app/token", null)]
    [InlineData("POST", "/api/integration-app/token", "org_42")]
    [InlineData("POST", "/api/integration-app/token", "org_42", "{", "application/json")]
    [InlineData("POST", "/api/integration-app/token", "org_42", "hello", "text/plain")]
    [InlineData("POST", "/api/integration-app/token", "org_42", "[1,2]", "application/json")]
    [InlineData("POST", "/api/integration-app/token", "org\u0001bad")]
    [InlineData("POST", "/api/integration-app/admin-token", "org_42")]
    [InlineData("POST", "/api/alloy/token", "org_42")]
    [InlineData("POST", "/api/fivetran/connect-card", "org_42", """{"service":"postgres"}""", "application/json")]
    [InlineData("GET", "/api/fivetran/connections/abc", "org_42")]
    [InlineData("GET", "/api/fivetran/connections/a.b", "org_42")]
    [InlineData("GET", "/api/fivetran/connections/abc", null)]
    [InlineData("POST", "/api/polytomic/connect", "org_42", """{"types":["postgresql"]}""", "application/json")]
    public async Task EveryRoute_AnswersLikeTheKestrelServer(string method, string path, string? customer, string? body = null, string? contentType = null)
    {
        var functions = await SendAsync(app.Functions.Client, method, path, customer, body, contentType);
        var server = await SendAsync(app.Server.Client, method, path, customer, body, contentType);

        Assert.Equal(server, functions);
    }

    [Fact]
    public async Task OversizedBody_AnswersLikeTheKestrelServer()
    {
        var body = $$"""{"padding":"{{new string('x', 20_000)}}"}""";

        var functions = await SendAsync(app.Functions.Client, "POST", "/api/integration-app/token", "org_42", body, "application/json");
        var server = await SendAsync(app.Server.Client, "POST", "/api/integration-app/token", "org_42", body, "application/json");

        Assert.StartsWith("413 ", server, StringComparison.Ordinal);
        Assert.Equal(server, functions);
    }

    private async Task<HttpResponseMessage> GetAsCustomerAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Customer-Id", "org_42");
        return await app.Functions.Client.SendAsync(request);
    }

    /// <summary>What the contract promises: status, media type, problem code, cache header and the success body's shape.</summary>
    private static async Task<string> SendAsync(HttpClient client, string method, string path, string? customer, string? body, string? contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (customer is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Customer-Id", System.Text.RegularExpressions.Regex.Unescape(customer));
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType!);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement : default;
        var shape = json.ValueKind == JsonValueKind.Object
            ? string.Join(",", json.EnumerateObject().Select(p => p.Name == "code" || p.Name == "status" || p.Name == "title" ? $"{p.Name}={p.Value}" : p.Name))
            : text;
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} cache={response.Headers.CacheControl} "
            + $"auth={string.Join(";", response.Headers.WwwAuthenticate.Select(h => h.ToString()))} {shape}";
    }
}
