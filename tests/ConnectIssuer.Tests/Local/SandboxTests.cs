using System.Net.Sockets;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Server;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Local;

/// <summary>
/// <c>Sandbox:Enabled</c>: Development only, simulations served under <c>/sandbox/&lt;vendor&gt;/</c> of the same server
/// (on whatever port it got), vendor clients pointed there, development defaults that never override a setting.
/// </summary>
public sealed class SandboxTests
{
    private const string EchoKey = "sandbox-fake-echo-key";

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Start_SandboxOutsideDevelopment_FailsNamingTheSetting(string environment)
    {
        var settings = OidcSettings();
        settings["Sandbox:Enabled"] = "true";

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings, environment));

        Assert.Contains("Sandbox:Enabled", exception.Message, StringComparison.Ordinal);
        Assert.Contains(environment, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SandboxWithKeyVault_FailsNamingTheSetting()
    {
        var settings = DevelopmentSettings();
        settings["KeyVault:Uri"] = "https://kv-example.vault.azure.net/";

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings, "Development", Echo));

        Assert.Contains("Sandbox:Enabled", exception.Message, StringComparison.Ordinal);
        Assert.Contains("KeyVault:Uri", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SandboxDisabledOutsideDevelopment_Starts()
    {
        var settings = OidcSettings();
        settings["Sandbox:Enabled"] = "false";

        await using var server = await TestApp.StartServerAsync(settings);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(new Uri("/sandbox/echo/whoami", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Sandbox_Enabled_ServesSimulationOnTheServersOwnPortWithItsPathBase()
    {
        await using var server = await TestApp.StartServerAsync(DevelopmentSettings(), "Development", Echo);
        var configuration = server.Services.GetRequiredService<IConfiguration>();
        var origin = server.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        Assert.Equal(origin + "/sandbox/echo", configuration["Echo:BaseUrl"]);
        var response = await server.Client.GetAsync(new Uri(configuration["Echo:BaseUrl"] + "/whoami"));

        var body = await response.ReadJsonAsync();
        Assert.Equal("/sandbox/echo", body.GetProperty("pathBase").GetString());
        Assert.Equal("/whoami", body.GetProperty("path").GetString());
        Assert.Equal(origin + "/sandbox/echo/page", body.GetProperty("link").GetString());
        Assert.Same(server.Services.GetRequiredService<EchoSimulation>(), server.Services.GetRequiredService<SandboxRegistry>().Simulations.Single(s => s.Vendor.Name == "echo").Simulation);
        Assert.Equal(EchoKey, server.Services.GetRequiredService<EchoSimulation>().Key);
        Assert.Contains(server.Logs.Lines, l => l.Contains("Sandbox: simulated echo API at " + origin + "/sandbox/echo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sandbox_Enabled_VendorStatusCodesPassThroughAndRoutesStayUnderTheSandbox()
    {
        await using var server = await TestApp.StartServerAsync(DevelopmentSettings(), "Development", Echo);

        var unauthorized = await server.Client.GetAsync(new Uri("/sandbox/echo/unauthorized", UriKind.Relative));
        var atRoot = await server.Client.GetAsync(new Uri("/whoami", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Empty(await unauthorized.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, atRoot.StatusCode);
        var routes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText).ToList();
        Assert.Contains("/sandbox/echo/whoami", routes);
        Assert.DoesNotContain("/whoami", routes);
    }

    [Fact]
    public async Task Sandbox_Enabled_DefaultsFillOnlyWhatIsNotConfigured()
    {
        var settings = DevelopmentSettings();
        settings["Echo:Items:0"] = "mine";
        settings["Echo:Mode"] = "configured";
        settings["AllowedOrigins:0"] = "https://app.example.com";

        await using var server = await TestApp.StartServerAsync(settings, "Development", Echo);
        var configuration = server.Services.GetRequiredService<IConfiguration>();

        Assert.Equal(["mine"], configuration.GetSection("Echo:Items").Get<string[]>()!);
        Assert.Equal("configured", configuration["Echo:Mode"]);
        Assert.Equal(EchoKey, configuration["Secrets:EchoKey"]);
        Assert.Equal("from-default", configuration["Echo:Other"]);
        Assert.Equal(
            ["https://app.example.com", server.Client.BaseAddress!.GetLeftPart(UriPartial.Authority)],
            configuration.GetSection("AllowedOrigins").Get<string[]>()!);
    }

    [Fact]
    public async Task Sandbox_Disabled_ServesNoSimulationAndSetsNothing()
    {
        var settings = DevelopmentSettings();
        settings["Sandbox:Enabled"] = "false";

        await using var server = await TestApp.StartServerAsync(settings, "Development", Echo);

        Assert.Null(server.Services.GetRequiredService<IConfiguration>()["Echo:BaseUrl"]);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(new Uri("/sandbox/echo/whoami", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Sandbox_DynamicPort_IsHeldFromBuildUntilTheServerServesOnIt()
    {
        var contentRoot = Directory.CreateTempSubdirectory("connectissuer-test-").FullName;
        try
        {
            await using var app = BuildUnstarted(DevelopmentSettings(), contentRoot);
            var baseUrl = new Uri(app.Services.GetRequiredService<IConfiguration>()["Echo:BaseUrl"]!);

            // Between choosing the port and Kestrel's start nothing else can take it: the sandbox already listens on it.
            using var intruder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var taken = Assert.Throws<SocketException>(() =>
            {
                intruder.Bind(new IPEndPoint(IPAddress.Loopback, baseUrl.Port));
                intruder.Listen();
            });
            Assert.Equal(SocketError.AddressAlreadyInUse, taken.SocketErrorCode);

            await app.StartAsync();
            using var client = new HttpClient();
            var body = await (await client.GetAsync(new Uri(baseUrl + "/whoami"))).ReadJsonAsync();
            Assert.Equal("/sandbox/echo", body.GetProperty("pathBase").GetString());
            Assert.Equal(
                [baseUrl.GetLeftPart(UriPartial.Authority)],
                app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Sandbox_DynamicPort_IsReleasedWhenStartUpIsRefused()
    {
        var contentRoot = Directory.CreateTempSubdirectory("connectissuer-test-").FullName;
        try
        {
            var settings = DevelopmentSettings();
            settings["KeyVault:Uri"] = "https://kv-example.vault.azure.net/";
            var app = BuildUnstarted(settings, contentRoot);
            var port = new Uri(app.Services.GetRequiredService<IConfiguration>()["Echo:BaseUrl"]!).Port;

            await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            await app.DisposeAsync();

            using var next = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            next.Bind(new IPEndPoint(IPAddress.Loopback, port));
            next.Listen();
            Assert.Equal(port, ((IPEndPoint)next.LocalEndPoint!).Port);
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://localhost:7071", "http://localhost:7071/")]
    [InlineData("https://localhost:7443;http://localhost:7071", "http://localhost:7071/")]
    [InlineData("http://+:8080", "http://localhost:8080/")]
    [InlineData("http://*:8080", "http://localhost:8080/")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080/")]
    [InlineData("http://[::]:8080", "http://localhost:8080/")]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0/")]
    [InlineData(null, "http://localhost:5000/")]
    public void ChooseUrl_ServerUrls_PicksTheFirstHttpUrlWithAReachableHost(string? urls, string expected)
    {
        var (url, all) = SandboxExtensions.ChooseUrl(urls);

        Assert.Equal(expected, url.AbsoluteUri);
        Assert.StartsWith("http", all[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Vendors_DevelopmentSecrets_AreMarkedFakeAndNamesAreUnique()
    {
        var secrets = new[] { SandboxExtensions.AlloyDefaults, SandboxExtensions.FivetranDefaults, SandboxExtensions.PolytomicDefaults, SandboxExtensions.MembraneDefaults }
            .SelectMany(d => d)
            .Where(d => d.Key.StartsWith("Secrets:", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(5, secrets.Count);
        Assert.All(secrets, s => Assert.Contains("fake", s.Value, StringComparison.Ordinal));
        Assert.Equal(SandboxExtensions.Vendors.Count, SandboxExtensions.Vendors.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Sandbox_Membrane_ServedAtIntegrationAppApiBaseUrlAndAcceptsTheServersCustomerTokens()
    {
        await using var server = await TestApp.StartServerAsync(DevelopmentSettings(), "Development");
        var configuration = server.Services.GetRequiredService<IConfiguration>();
        var membrane = server.Services.GetRequiredService<MembraneSimulation>();
        var origin = server.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        var mine = membrane.SeedConnection("org_sandbox", "hubspot", SimulatedConnectionState.Healthy);
        membrane.SeedConnection("org_other", "hubspot", SimulatedConnectionState.Healthy);

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/integration-app/token", UriKind.Relative));
        tokenRequest.Headers.Add("X-Customer-Id", "org_sandbox");
        var token = (await (await server.Client.SendAsync(tokenRequest)).ReadJsonAsync()).GetProperty("token").GetString();
        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(configuration["IntegrationApp:ApiBaseUrl"] + "/connections"));
        list.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var items = (await (await server.Client.SendAsync(list)).ReadJsonAsync()).GetProperty("items");

        Assert.Equal(origin + "/sandbox/integration-app", configuration["IntegrationApp:ApiBaseUrl"]);
        Assert.Equal(mine.Id, Assert.Single(items.EnumerateArray()).GetProperty("id").GetString());
    }

    private static void Echo(IServiceCollection services) =>
        services.AddSingleton(new SandboxVendor(
            "echo",
            "Echo:BaseUrl",
            configuration => new EchoSimulation(configuration["Secrets:EchoKey"]!),
            new Dictionary<string, string>
            {
                ["Secrets:EchoKey"] = EchoKey,
                ["Echo:Items:0"] = "default-a",
                ["Echo:Items:1"] = "default-b",
                ["Echo:Mode"] = "default",
                ["Echo:Other"] = "from-default",
            }));

    /// <summary>The standalone server with the echo vendor on a dynamic loopback port, built but not started.</summary>
    private static WebApplication BuildUnstarted(Dictionary<string, string?> settings, string contentRoot) =>
        ServerApp.Create(
            new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = contentRoot, ApplicationName = "ConnectIssuer.Server" },
            builder =>
            {
                builder.Configuration.Sources.Clear();
                builder.Configuration.AddInMemoryCollection(settings);
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Logging.ClearProviders();
                Echo(builder.Services);
            });

    private static Dictionary<string, string?> DevelopmentSettings() => new()
    {
        ["Auth:Mode"] = "Development",
        ["Sandbox:Enabled"] = "true",
    };

    private static Dictionary<string, string?> OidcSettings() => new()
    {
        ["Auth:Mode"] = "Oidc",
        ["Auth:Authority"] = "http://127.0.0.1:1",
        ["Auth:RequireHttpsMetadata"] = "false",
        ["Auth:Audiences:0"] = "api://x",
    };

    /// <summary>A minimal simulation: says where it runs, builds a link from its path base, answers a bare 401.</summary>
    internal sealed class EchoSimulation(string key) : IVendorSimulation
    {
        public string Key { get; } = key;

        public void Map(IEndpointRouteBuilder routes)
        {
            routes.MapGet("/whoami", (HttpRequest request) => Results.Json(new Dictionary<string, string>
            {
                ["pathBase"] = request.PathBase.Value ?? "",
                ["path"] = request.Path.Value ?? "",
                ["link"] = $"{request.Scheme}://{request.Host}{request.PathBase}/page",
            }));
            routes.MapGet("/unauthorized", () => Results.StatusCode(401));
        }
    }
}
