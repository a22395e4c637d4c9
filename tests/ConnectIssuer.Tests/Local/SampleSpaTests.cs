using System.Diagnostics;
using System.Text.RegularExpressions;
using ConnectIssuer.Server;
using ConnectIssuer.Server.SampleSpa;
using Microsoft.AspNetCore.Builder;
using ConnectIssuer.Tests.FunctionsShell;
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
        await using var server = await TestApp.StartServerAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");

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
        // The test server's content root is a fresh temporary folder: nothing of the repository above it.
        await using var server = await TestApp.StartServerAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");

        var page = await server.Client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-vendor=\"alloy\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var shipped = Path.Combine(AppContext.BaseDirectory, "samples", "spa");
        Assert.Contains(server.Logs.Lines, line => line.Contains($"Sample SPA: serving {shipped} at /", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerDll_RunFromAnotherDirectoryInDevelopment_ServesTheSamplePage()
    {
        // The acceptance scenario: `ASPNETCORE_ENVIRONMENT=Development dotnet <output>/ConnectIssuer.Server.dll` started
        // in a directory with nothing of the repository in or above it. The test output holds the server's build output.
        var workingDirectory = Directory.CreateTempSubdirectory("connectissuer-cwd-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConnectIssuer.Server.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment.Remove("ASPNETCORE_CONTENTROOT");
        start.Environment.Remove("DOTNET_CONTENTROOT");
        start.Environment.Remove(ServerApp.LaunchProfileVariable);
        using var server = Process.Start(start)!;
        try
        {
            var address = await ListeningAddressAsync(server);
            using var client = new HttpClient { BaseAddress = new Uri(address) };

            var page = await client.GetAsync(new Uri("/", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("data-vendor=\"integration-app\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public void WithLaunchProfileEnvironment_LaunchProfileAndNoEnvironmentNamed_RunsAsDevelopment()
    {
        var options = ServerApp.WithLaunchProfileEnvironment(
            new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:1"] }, Variables((ServerApp.LaunchProfileVariable, "ConnectIssuer.Server")));

        Assert.Equal("Development", options.EnvironmentName);
        Assert.Equal(["--urls", "http://127.0.0.1:1"], options.Args!);
    }

    [Theory]
    [InlineData("ASPNETCORE_ENVIRONMENT")]
    [InlineData("DOTNET_ENVIRONMENT")]
    public void WithLaunchProfileEnvironment_ShellNamesAnEnvironment_KeepsIt(string name)
    {
        // `ASPNETCORE_ENVIRONMENT=Production dotnet run …`: the host reads Production from the variable, unchanged.
        var options = ServerApp.WithLaunchProfileEnvironment(
            new WebApplicationOptions(), Variables((ServerApp.LaunchProfileVariable, "ConnectIssuer.Server"), (name, "Production")));

        Assert.Null(options.EnvironmentName);
    }

    [Fact]
    public void WithLaunchProfileEnvironment_ArgumentOrOptionNamesAnEnvironment_KeepsIt()
    {
        var profile = Variables((ServerApp.LaunchProfileVariable, "ConnectIssuer.Server"));

        Assert.Null(ServerApp.WithLaunchProfileEnvironment(new WebApplicationOptions { Args = ["--environment", "Production"] }, profile).EnvironmentName);
        Assert.Equal("Staging", ServerApp.WithLaunchProfileEnvironment(new WebApplicationOptions { EnvironmentName = "Staging" }, profile).EnvironmentName);
    }

    [Fact]
    public void WithLaunchProfileEnvironment_NoLaunchProfile_KeepsTheHostDefault()
    {
        // `dotnet ConnectIssuer.Server.dll` (published, container): the host's default, Production.
        Assert.Null(ServerApp.WithLaunchProfileEnvironment(new WebApplicationOptions(), Variables()).EnvironmentName);
    }

    [Fact]
    public void LaunchProfile_SetsNoEnvironmentVariable()
    {
        // A profile variable would override the shell's, so `ASPNETCORE_ENVIRONMENT=Production dotnet run` would not be Production.
        var path = Path.Combine(FunctionsShellTests.RepositoryRoot(), "src/ConnectIssuer.Server/Properties/launchSettings.json");
        using var launchSettings = JsonDocument.Parse(File.ReadAllText(path));

        var profile = launchSettings.RootElement.GetProperty("profiles").GetProperty("ConnectIssuer.Server");

        Assert.Equal("Project", profile.GetProperty("commandName").GetString());
        Assert.Equal("http://localhost:7071", profile.GetProperty("applicationUrl").GetString());
        Assert.False(profile.TryGetProperty("environmentVariables", out _));
    }

    private static Func<string, string?> Variables(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void WithAppFolderContentRoot_NoContentRootGiven_UsesTheAppFolder()
    {
        var options = ServerApp.WithAppFolderContentRoot(new WebApplicationOptions { EnvironmentName = "Development", Args = ["--urls", "http://127.0.0.1:1"] });

        Assert.Equal(AppContext.BaseDirectory, options.ContentRootPath);
        Assert.Equal("Development", options.EnvironmentName);
        Assert.Equal(["--urls", "http://127.0.0.1:1"], options.Args!);
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
        await using var server = await TestApp.StartServerAsync(
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
        await using var server = await TestApp.StartServerAsync(new Dictionary<string, string?>
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

    /// <summary>Reads the child's console until Kestrel names its address (or the child exits).</summary>
    private static async Task<string> ListeningAddressAsync(Process server)
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(2));   // a child that never starts must not hang the suite
        var output = new StringBuilder();
        while (await server.StandardOutput.ReadLineAsync(giveUp.Token) is { } line)
        {
            output.AppendLine(line);
            var match = Regex.Match(line, @"Now listening on: (http://127\.0\.0\.1:\d+)");
            if (match.Success)
            {
                _ = server.StandardOutput.ReadToEndAsync(CancellationToken.None);   // keep draining so the child never blocks
                _ = server.StandardError.ReadToEndAsync(CancellationToken.None);
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException($"The server exited without listening. Output:\n{output}\n{await server.StandardError.ReadToEndAsync(CancellationToken.None)}");
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
