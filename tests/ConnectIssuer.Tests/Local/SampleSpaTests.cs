using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Local;

/// <summary>The sample SPA is served at <c>/</c> in Development only, with the headers a careful SPA host sends.</summary>
public sealed class SampleSpaTests
{
    [Fact]
    public async Task Root_Development_ServesTheSamplePageWithSecurityHeaders()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");

        var page = await server.Client.GetAsync(new Uri("/", UriKind.Relative));
        var script = await server.Client.GetAsync(new Uri("/app.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        foreach (var vendor in new[] { "integration-app", "alloy", "fivetran", "polytomic" })
        {
            Assert.Contains($"data-vendor=\"{vendor}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task SampleConfig_Development_ListsTheAllowedChoices()
    {
        await using var server = await RunningServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Auth:Mode"] = "Development",
                ["Fivetran:AllowedServices:0"] = "salesforce",
                ["Fivetran:AllowedServices:1"] = "hubspot",
                ["Polytomic:AllowedTypes:0"] = "postgresql",
            },
            "Development");

        var body = await (await server.Client.GetAsync(new Uri("/sample/config", UriKind.Relative))).ReadJsonAsync();

        Assert.Equal("Development", body.GetProperty("authMode").GetString());
        Assert.Equal(["salesforce", "hubspot"], body.GetProperty("fivetranServices").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["postgresql"], body.GetProperty("polytomicTypes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Root_Production_IsNotServed()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Oidc",
            ["Auth:Authority"] = "http://127.0.0.1:1",
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = "api://x",
        });

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(new Uri("/app.js", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(new Uri("/sample/config", UriKind.Relative))).StatusCode);
    }
}
