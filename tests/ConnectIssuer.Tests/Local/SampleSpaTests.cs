using ConnectIssuer.Server;
using ConnectIssuer.Server.SampleSpa;
using Microsoft.AspNetCore.Builder;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Local;

/// <summary>
/// The sample SPA is served at <c>/</c> in Development only, with the headers a careful SPA host sends, from the copy
/// shipped in the build and publish output (so it works wherever the app folder is).
/// </summary>
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
    public void BuildOutput_ShipsTheSamplePageBesideTheServer()
    {
        // The test output holds the server's build output (ConnectIssuer.Server.dll and its content), as a publish does.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "ConnectIssuer.Server.dll")));
        var shipped = Path.Combine(AppContext.BaseDirectory, "samples", "spa");
        var source = RepositorySampleFolder();

        foreach (var file in new[] { "index.html", "app.js", "style.css" })
        {
            Assert.True(File.Exists(Path.Combine(shipped, file)), $"{file} is not in the build output");
            Assert.Equal(File.ReadAllText(Path.Combine(source, file)), File.ReadAllText(Path.Combine(shipped, file)));
        }
    }

    [Fact]
    public async Task Root_DevelopmentWithContentRootOutsideTheRepository_ServesTheShippedCopy()
    {
        // RunningServer's content root is a fresh temporary folder: nothing of the repository above it.
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");

        var page = await server.Client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-vendor=\"alloy\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var shipped = Path.Combine(AppContext.BaseDirectory, "samples", "spa");
        Assert.Contains(server.Logs.Lines, line => line.Contains($"Sample SPA: serving {shipped} at /", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_NoContentRootGiven_UsesTheAppFolderSoItsSettingsAndPageAreFound()
    {
        // As `dotnet /published/ConnectIssuer.Server.dll` from another directory: no content root named anywhere.
        Assert.Null(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"));
        await using var app = ServerApp.Create(
            new WebApplicationOptions { EnvironmentName = "Development", ApplicationName = "ConnectIssuer.Server" },
            builder => builder.Logging.ClearProviders());

        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(app.Environment.ContentRootPath));
        Assert.Equal("Development", app.Configuration["Auth:Mode"]);   // from the shipped appsettings.Development.json
    }

    [Fact]
    public void WithAppFolderContentRoot_ContentRootGiven_KeepsIt()
    {
        var options = ServerApp.WithAppFolderContentRoot(new WebApplicationOptions { ContentRootPath = "/srv/elsewhere" });
        var fromArgs = ServerApp.WithAppFolderContentRoot(new WebApplicationOptions { Args = ["--contentRoot", "/srv/args"] });

        Assert.Equal("/srv/elsewhere", options.ContentRootPath);
        Assert.Null(fromArgs.ContentRootPath);
    }

    [Fact]
    public void Find_AppFolderHasTheCopy_PrefersItOverTheContentRoot()
    {
        var appFolder = Directory.CreateTempSubdirectory("connectissuer-app-").FullName;
        var contentRoot = Directory.CreateTempSubdirectory("connectissuer-root-").FullName;
        try
        {
            Assert.Null(SampleSpaExtensions.Find(appFolder, contentRoot));

            Directory.CreateDirectory(Path.Combine(contentRoot, "samples", "spa"));
            File.WriteAllText(Path.Combine(contentRoot, "samples", "spa", "index.html"), "<p>checkout</p>");
            Assert.Equal(Path.Combine(contentRoot, "samples/spa"), SampleSpaExtensions.Find(appFolder, contentRoot));

            Directory.CreateDirectory(Path.Combine(appFolder, "samples", "spa"));
            File.WriteAllText(Path.Combine(appFolder, "samples", "spa", "index.html"), "<p>shipped</p>");
            Assert.Equal(Path.Combine(appFolder, "samples/spa"), SampleSpaExtensions.Find(appFolder, contentRoot));
        }
        finally
        {
            Directory.Delete(appFolder, recursive: true);
            Directory.Delete(contentRoot, recursive: true);
        }
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

    private static string RepositorySampleFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "spa");
            if (File.Exists(Path.Combine(candidate, "index.html")) && Directory.Exists(Path.Combine(directory.FullName, "src")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The repository's samples/spa was not found above the test output.");
    }
}
