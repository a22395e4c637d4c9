using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnectIssuer.Health;
using ConnectIssuer.Hosting;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using ConnectIssuer.Tests.Callers;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Http;

/// <summary>
/// Issue 14 item 13: <c>X-Content-Type-Options: nosniff</c> on every response (the server's own and the product's; the
/// Functions worker's are checked by TwoHostEndToEndTests); HSTS on https outside Development; no http loopback origin outside Development.
/// </summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private FakeOidcIssuer _issuer = null!;
    private RunningApp _server = null!;

    public async Task InitializeAsync()
    {
        _issuer = await FakeOidcIssuer.SharedAsync();
        _server = await TestApp.StartServerAsync(Settings(_issuer));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    public static TheoryData<string> Answers => [.. ServerAnswers().Keys];

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task EveryAnswer_Production_CarriesNosniff(string answer)
    {
        var (request, status) = ServerAnswers()[answer](_issuer);

        var response = await _server.Client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS is for https answers only");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/sample/config")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/no-such-file.css")]
    public async Task SampleSpaAndOpenApi_Development_CarryNosniff(string path)
    {
        await using var server = await TestApp.StartServerAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");

        var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(path.StartsWith("/no-such", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task ProductCode_WithoutAHost_LeavesNosniffToTheHost()
    {
        // The pipeline and the handlers without a host around them: each host sets the header in one place (the server's
        // middleware, the Functions worker's SecurityHeadersMiddleware); TwoHostEndToEndTests checks every route on both.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "EasyAuth",
            ["IntegrationApp:WorkspaceKey"] = "ws",
            ["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests",
        }).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Production", ApplicationName = "ConnectIssuer.Functions", ContentRootPath = AppContext.BaseDirectory });
        services.AddLogging();
        services.AddConnectIssuer();
        services.AddSingleton(new AppServicePlatform(name => name is AppServicePlatform.SiteNameVariable or AppServicePlatform.AuthEnabledVariable ? "true" : null));
        await using var provider = services.BuildServiceProvider();

        var success = new DefaultHttpContext { RequestServices = provider };
        success.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = CallerAuthenticationTests.EasyAuthPrincipal(("sub", "org_42"));
        var pipeline = provider.GetRequiredService<IssuingPipeline>();
        var handler = provider.GetRequiredService<IntegrationAppTokenHandler>();
        var issued = await pipeline.RunAsync(success.Request, IntegrationAppTokenHandler.Route, handler.IssueAsync, CancellationToken.None);
        var problem = new DefaultHttpContext { RequestServices = provider };
        var refused = await pipeline.RunAsync(problem.Request, IntegrationAppTokenHandler.Route, handler.IssueAsync, CancellationToken.None);
        var health = new DefaultHttpContext { RequestServices = provider };
        await provider.GetRequiredService<HealthHandler>().HandleAsync(health.Request, CancellationToken.None);

        Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.Ok<ConnectIssuer.Http.IssueResponse>>(issued.Result);
        Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>(refused.Result);
        Assert.All(new[] { success, problem, health }, context => Assert.False(context.Response.Headers.ContainsKey("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("Production", "connect.example.com", true)]
    [InlineData("Production", "localhost", false)]
    [InlineData("Development", "connect.example.com", false)]
    public async Task Https_OutsideDevelopment_SendsHsts(string environment, string host, bool expected)
    {
        using var certificate = SelfSignedCertificate();
        await using var server = await TestApp.StartServerAsync(
            Settings(_issuer), environment,
            services => services.Configure<KestrelServerOptions>(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate))));
        var thumbprint = certificate.GetCertHashString();
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint },
        })
        { BaseAddress = server.Client.BaseAddress };
        Assert.Equal("https", client.BaseAddress!.Scheme);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Host = host;

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(expected, response.Headers.TryGetValues("Strict-Transport-Security", out var hsts));
        if (expected)
        {
            Assert.Equal("max-age=31536000", Assert.Single(hsts!));
        }
    }

    [Theory]
    [InlineData("Production", "http://localhost:5173", false)]
    [InlineData("Production", "http://127.0.0.1:5173", false)]
    [InlineData("Production", "https://localhost:5173", true)]
    [InlineData("Development", "http://localhost:5173", true)]
    public async Task Start_LoopbackHttpOrigin_AcceptedOnlyInDevelopment(string environment, string origin, bool starts)
    {
        var settings = Settings(_issuer);
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["AllowedOrigins:1"] = origin;

        var start = () => TestApp.StartServerAsync(settings, environment, PlatformGateTests.OnPlatform());

        if (starts)
        {
            await using var server = await start();
        }
        else
        {
            var exception = await Assert.ThrowsAsync<OptionsValidationException>(start);
            Assert.Contains("AllowedOrigins:1", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_LoopbackHttpOriginOnAppService_RefusedEvenInDevelopment()
    {
        var settings = Settings(_issuer);
        settings["AllowedOrigins:0"] = "http://localhost:5173";

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartServerAsync(settings, "Development", PlatformGateTests.OnPlatform((AppServicePlatform.InstanceIdVariable, "abc"))));

        Assert.Contains("AllowedOrigins:0", exception.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(FakeOidcIssuer issuer)
    {
        var settings = issuer.Settings();
        settings["IntegrationApp:WorkspaceKey"] = "ws";
        settings["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests";
        settings["RateLimit:PermitsPerMinute"] = "1000";
        settings["AllowedOrigins:0"] = "https://app.example.com";
        settings["OpenApi:Enabled"] = "true";
        return settings;
    }

    private static Dictionary<string, Func<FakeOidcIssuer, (HttpRequestMessage Request, HttpStatusCode Status)>> ServerAnswers() => new()
    {
        ["200 issued token"] = issuer => (HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken()), HttpStatusCode.OK),
        ["401 problem"] = _ => (HttpExtensions.Post("/api/integration-app/token"), HttpStatusCode.Unauthorized),
        ["403 problem"] = issuer => (HttpExtensions.Post("/api/integration-app/admin-token", issuer.CreateToken()), HttpStatusCode.Forbidden),
        ["413 from the pipeline"] = issuer => (HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken(), "{\"a\":\"" + new string('a', 20_000) + "\"}"), HttpStatusCode.RequestEntityTooLarge),
        ["415 from the pipeline"] = issuer => (HttpExtensions.Post("/api/integration-app/token", issuer.CreateToken(), "<a/>", "application/xml"), HttpStatusCode.UnsupportedMediaType),
        ["404 unknown route"] = _ => (new HttpRequestMessage(HttpMethod.Get, "/api/no-such-route"), HttpStatusCode.NotFound),
        ["404 unknown path outside /api"] = _ => (new HttpRequestMessage(HttpMethod.Get, "/"), HttpStatusCode.NotFound),
        ["405 wrong method"] = _ => (new HttpRequestMessage(HttpMethod.Get, "/api/integration-app/token"), HttpStatusCode.MethodNotAllowed),
        ["200 health"] = _ => (new HttpRequestMessage(HttpMethod.Get, "/api/health"), HttpStatusCode.OK),
        ["200 OpenAPI document"] = _ => (new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json"), HttpStatusCode.OK),
        ["204 CORS preflight"] = _ => (Preflight(), HttpStatusCode.NoContent),
    };

    private static HttpRequestMessage Preflight()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/integration-app/token");
        request.Headers.Add("Origin", "https://app.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        return request;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=connect.example.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("connect.example.com");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
