using ConnectIssuer.Callers;
using ConnectIssuer.Hosting;
using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Callers;

/// <summary>
/// Issue 14 items 3 and 4: header-named callers and the sandbox never on App Service or Functions, whatever the
/// environment name; X-Customer-* only from loopback and in CORS only in Development; Easy Auth trusted only when the
/// process environment of an App Service process says so, and refused by the standalone server.
/// </summary>
public sealed class PlatformGateTests
{
    private static readonly Dictionary<string, string?> IntegrationApp = new()
    {
        ["IntegrationApp:WorkspaceKey"] = "ws",
        ["Secrets:IntegrationAppWorkspaceSecret"] = "ws-secret-value-for-tests",
    };

    [Theory]
    [InlineData(AppServicePlatform.InstanceIdVariable, "b3f1c0ffee")]
    [InlineData(AppServicePlatform.SiteNameVariable, "func-connectissuer")]
    public async Task Start_DevelopmentModeOnAppService_RefusesEvenInTheDevelopmentEnvironment(string variable, string value)
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(
            With(IntegrationApp, ("Auth:Mode", "Development")), "Development", OnPlatform((variable, value))));

        Assert.Contains("Auth:Mode=Development", exception.Message, StringComparison.Ordinal);
        Assert.Contains(variable, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SandboxOnAppService_RefusesEvenInTheDevelopmentEnvironment()
    {
        var settings = With(IntegrationApp, ("Sandbox:Enabled", "true"), ("Auth:Mode", "Oidc"), ("Auth:Authority", "https://login.example.com"), ("Auth:Audiences:0", "api://x"));

        // The sandbox also adds its own http://127.0.0.1 origin to AllowedOrigins, which is refused on App Service too.
        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartServerAsync(
            settings, "Development", OnPlatform((AppServicePlatform.InstanceIdVariable, "abc"))));

        var failures = exception is AggregateException aggregate ? aggregate.InnerExceptions : [exception];
        Assert.Contains(failures, f => f is OptionsValidationException && f.Message.Contains("Sandbox:Enabled=true is refused on App Service", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_HttpMetadataOnAppService_RefusesEvenInTheDevelopmentEnvironment()
    {
        var settings = With(IntegrationApp, ("Auth:Mode", "Oidc"), ("Auth:Authority", "http://login.example.com"), ("Auth:RequireHttpsMetadata", "false"), ("Auth:Audiences:0", "api://x"));

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(
            settings, "Development", OnPlatform((AppServicePlatform.SiteNameVariable, "app"))));

        Assert.Contains("Auth:RequireHttpsMetadata", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DevelopmentModeOffAppService_StartsInTheDevelopmentEnvironment()
    {
        // The platform variables are read from the process environment only: an app setting of the same name changes nothing.
        var settings = With(IntegrationApp, ("Auth:Mode", "Development"), (AppServicePlatform.InstanceIdVariable, "from-configuration"));

        await using var server = await TestApp.StartServerAsync(settings, "Development", OnPlatform());

        var request = HttpExtensions.Post("/api/integration-app/token");
        request.Headers.Add("X-Customer-Id", "dev-org");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Start_EasyAuthOnTheStandaloneServer_RefusesNamingTheSetting()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(
            With(IntegrationApp, ("Auth:Mode", "EasyAuth")), "Production",
            OnPlatform((AppServicePlatform.SiteNameVariable, "app"), (AppServicePlatform.AuthEnabledVariable, "true"))));

        Assert.Contains("Auth:Mode=EasyAuth", exception.Message, StringComparison.Ordinal);
        Assert.Contains("standalone server", exception.Message, StringComparison.Ordinal);
    }

    /// <remarks>
    /// The connection's remote address is set on the request rather than produced by a real connection:
    /// tests here send traffic to loopback addresses only, never to another interface of the machine.
    /// </remarks>
    [Theory]
    [InlineData("203.0.113.7", false)]
    [InlineData("::ffff:10.0.0.7", false)]
    [InlineData(null, false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    public async Task Development_HeadersFromANonLoopbackConnection_Return401(string? remoteAddress, bool accepted)
    {
        var authenticator = new DevelopmentCallerAuthenticator(Options.Create(new CallerAuthenticationOptions { Mode = CallerAuthenticationMode.Development }));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remoteAddress is null ? null : IPAddress.Parse(remoteAddress);
        context.Request.Headers[DevelopmentCallerAuthenticator.CustomerIdHeader] = "dev-org";

        if (accepted)
        {
            var caller = await authenticator.AuthenticateAsync(context.Request, CancellationToken.None);
            Assert.Equal("dev-org", caller.CustomerId);
            return;
        }

        var exception = await Assert.ThrowsAsync<ApiProblemException>(() => authenticator.AuthenticateAsync(context.Request, CancellationToken.None).AsTask());
        Assert.Equal(StatusCodes.Status401Unauthorized, exception.Status);
        Assert.Equal("unauthenticated", exception.Code);
        Assert.Equal("invalid_token", exception.BearerError);
        Assert.Contains("loopback", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.7", false)]
    [InlineData("::ffff:10.0.0.7", false)]
    [InlineData("fd00::2", false)]
    [InlineData(null, false)]
    public void Development_IsLoopback_OnlyLoopbackAddresses(string? address, bool expected)
    {
        Assert.Equal(expected, DevelopmentCallerAuthenticator.IsLoopback(address is null ? null : IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("Production", false)]
    [InlineData("Development", true)]
    public async Task Cors_CustomerHeaders_ListedOnlyInDevelopment(string environment, bool listed)
    {
        var settings = environment == "Development"
            ? With(IntegrationApp, ("Auth:Mode", "Development"), ("AllowedOrigins:0", "https://app.example.com"))
            : With(IntegrationApp, ("Auth:Mode", "Oidc"), ("Auth:Authority", "https://login.example.com"), ("Auth:Audiences:0", "api://x"), ("AllowedOrigins:0", "https://app.example.com"));
        await using var server = await TestApp.StartServerAsync(settings, environment, OnPlatform());

        var customerHeaders = await PreflightAsync(server, "x-customer-id,x-customer-name,x-customer-admin");
        var bearer = await PreflightAsync(server, "authorization,content-type");

        Assert.Equal(listed, customerHeaders.Contains("x-customer-id", StringComparer.OrdinalIgnoreCase));
        Assert.Equal(listed, customerHeaders.Contains("x-customer-admin", StringComparer.OrdinalIgnoreCase));
        Assert.Contains("authorization", bearer, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The headers a preflight from the allowed origin is told it may send (what the browser enforces).</summary>
    private static async Task<string[]> PreflightAsync(RunningApp server, string requestedHeaders)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/integration-app/token");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", requestedHeaders);
        var response = await server.Client.SendAsync(preflight);
        return response.Headers.TryGetValues("Access-Control-Allow-Headers", out var values)
            ? [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))]
            : [];
    }

    [Theory]
    [InlineData(new string[0], false, false)]
    [InlineData(new[] { "WEBSITE_INSTANCE_ID" }, true, false)]
    [InlineData(new[] { "WEBSITE_SITE_NAME" }, true, false)]
    [InlineData(new[] { "WEBSITE_AUTH_ENABLED" }, false, false)]
    [InlineData(new[] { "WEBSITE_SITE_NAME", "WEBSITE_AUTH_ENABLED" }, true, true)]
    public void AppServicePlatform_ReadsOnlyTheGivenEnvironment(string[] set, bool isAppService, bool authEnabled)
    {
        var platform = new AppServicePlatform(name => set.Contains(name) ? (name == AppServicePlatform.AuthEnabledVariable ? "True" : "x") : null);

        Assert.Equal(isAppService, platform.IsAppService);
        Assert.Equal(authEnabled, platform.AuthenticationEnabled);
    }

    [Theory]
    [InlineData(true, true, false, HttpStatusCode.OK)]
    [InlineData(true, false, false, HttpStatusCode.Unauthorized)]
    [InlineData(false, true, false, HttpStatusCode.Unauthorized)]
    [InlineData(true, false, true, HttpStatusCode.Unauthorized)]
    public async Task EasyAuth_PrincipalHeader_HonouredOnlyWhenTheAppServiceProcessSaysAuthIsOn(
        bool onAppService, bool authEnabledInProcess, bool authEnabledInConfiguration, HttpStatusCode expected)
    {
        List<(string, string)> environment = [];
        if (onAppService)
        {
            environment.Add((AppServicePlatform.SiteNameVariable, "func-connectissuer"));
        }

        if (authEnabledInProcess)
        {
            environment.Add((AppServicePlatform.AuthEnabledVariable, "true"));
        }

        var settings = With(
            IntegrationApp,
            ("Auth:Mode", "EasyAuth"),
            ("Auth:CustomerIdClaim", "http://schemas.microsoft.com/identity/claims/tenantid"),
            (AppServicePlatform.AuthEnabledVariable, authEnabledInConfiguration ? "true" : null));
        await using var provider = CoreHost(settings, [.. environment]);

        var result = await AdminTokenAsync(provider, CallerAuthenticationTests.EasyAuthPrincipal(
            ("http://schemas.microsoft.com/identity/claims/tenantid", "tenant-7"), ("name", "Ada"), ("roles", "connect-admin")));

        if (expected == HttpStatusCode.OK)
        {
            var ok = Assert.IsType<Ok<IssueResponse>>(result);
            Assert.True(Jwt.Decode(ok.Value!.Token!).Payload.GetProperty("isAdmin").GetBoolean());
        }
        else
        {
            var problem = Assert.IsType<ProblemHttpResult>(result);
            Assert.Equal(401, problem.StatusCode);
            Assert.Equal("unauthenticated", problem.ProblemDetails.Extensions["code"]);
        }
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("eyJub3QiOiJhIHByaW5jaXBhbCJ9")]
    [InlineData("e30=")]
    public async Task EasyAuth_GarbagePrincipal_Returns401(string header)
    {
        await using var provider = CoreHost(
            With(IntegrationApp, ("Auth:Mode", "EasyAuth")),
            (AppServicePlatform.InstanceIdVariable, "abc"), (AppServicePlatform.AuthEnabledVariable, "true"));

        var problem = Assert.IsType<ProblemHttpResult>(await AdminTokenAsync(provider, header));

        Assert.Equal(401, problem.StatusCode);
    }

    [Fact]
    public async Task EasyAuth_TwoCustomerIdClaims_Returns401()
    {
        await using var provider = CoreHost(
            With(IntegrationApp, ("Auth:Mode", "EasyAuth"), ("Auth:CustomerIdClaim", "tid")),
            (AppServicePlatform.InstanceIdVariable, "abc"), (AppServicePlatform.AuthEnabledVariable, "true"));

        var result = await AdminTokenAsync(provider, CallerAuthenticationTests.EasyAuthPrincipal(("tid", "tenant-7"), ("tid", "tenant-8")));

        Assert.Equal(401, Assert.IsType<ProblemHttpResult>(result).StatusCode);
    }

    /// <summary>The core as a host other than the standalone server composes it (the Functions app): AddConnectIssuer only.</summary>
    private static ServiceProvider CoreHost(Dictionary<string, string?> settings, params (string Name, string Value)[] environment)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Production", ApplicationName = "ConnectIssuer.Functions", ContentRootPath = AppContext.BaseDirectory });
        services.AddLogging();
        services.AddConnectIssuer();
        OnPlatform(environment)(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task<IResult> AdminTokenAsync(IServiceProvider provider, string principalHeader)
    {
        var context = new DefaultHttpContext { RequestServices = provider };
        context.Request.Method = "POST";
        context.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = principalHeader;
        var result = await provider.GetRequiredService<IssuingPipeline>().RunAsync(
            context.Request, IntegrationAppAdminTokenHandler.Route, provider.GetRequiredService<IntegrationAppAdminTokenHandler>().IssueAsync, CancellationToken.None);
        return result.Result;
    }

    /// <summary>Replaces the process environment the platform check reads with exactly these variables (none: not on App Service).</summary>
    internal static Action<IServiceCollection> OnPlatform(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return services => services.AddSingleton(new AppServicePlatform(name => environment.GetValueOrDefault(name)));
    }

    internal static Dictionary<string, string?> With(Dictionary<string, string?> settings, params (string Key, string? Value)[] more)
    {
        var result = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in more)
        {
            result[key] = value;
        }

        return result;
    }
}
