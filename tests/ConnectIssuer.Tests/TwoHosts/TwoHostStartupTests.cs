using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>
/// Start-up rules on both hosts. The worker's environment comes from <c>AZURE_FUNCTIONS_ENVIRONMENT</c>
/// (unset on Azure, which means Production), the server's from its environment name.
/// </summary>
public sealed class TwoHostStartupTests
{
    public static TheoryData<HostKind, string?> HostsOutsideDevelopment => new()
    {
        { HostKind.Server, "Production" },
        { HostKind.Server, "Staging" },
        { HostKind.Functions, null },
        { HostKind.Functions, "Production" },
    };

    public static TheoryData<HostKind> Hosts => TestApp.BothHosts;

    [Theory]
    [MemberData(nameof(HostsOutsideDevelopment))]
    public async Task DevelopmentCallerMode_OutsideDevelopment_IsRefusedAtStartNamingTheSetting(HostKind host, string? environment)
    {
        var settings = new Dictionary<string, string?> { ["Auth:Mode"] = "Development" };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.For(host).WithSettings(settings).InEnvironment(environment).StartAsync());

        Assert.Contains("Auth:Mode=Development is refused outside the Development environment", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task DevelopmentCallerMode_InDevelopment_NamesTheCallerByHeader(HostKind host)
    {
        const string Secret = "dev-workspace-secret-for-two-hosts";
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Development",
            ["IntegrationApp:WorkspaceKey"] = "dev-workspace",
            ["Secrets:IntegrationAppWorkspaceSecret"] = Secret,
        };
        await using var app = await TestApp.For(host).WithSettings(settings).InEnvironment("Development").StartAsync();
        using var request = HttpExtensions.Post("/api/integration-app/token");
        request.Headers.Add("X-Customer-Id", "org_dev");

        var response = await app.Client.SendAsync(request);

        var body = await response.ReadJsonAsync();
        Assert.Equal("org_dev", body.GetProperty("customerId").GetString());
        Assert.True(Jwt.VerifyHmac(body.GetProperty("token").GetString()!, System.Security.Cryptography.HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(Secret)));
    }

    [Fact]
    public async Task DevelopmentCallerMode_OnAzure_IsRefusedEvenInTheDevelopmentEnvironment()
    {
        // The worker gets its app settings as real process environment variables, as on Azure, where the platform
        // sets WEBSITE_INSTANCE_ID. (The server's counterpart, with an injected environment: PlatformGateTests.)
        var settings = new Dictionary<string, string?> { ["Auth:Mode"] = "Development", ["WEBSITE_INSTANCE_ID"] = "0f3c2d1e9a8b7c6d" };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.For(HostKind.Functions).WithSettings(settings).InEnvironment("Development").StartAsync());

        Assert.Contains("Auth:Mode=Development is refused on App Service and Azure Functions", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task IdentityProviderDown_Is503AuthUnavailableNot401(HostKind host)
    {
        await using var issuer = await FakeOidcIssuer.StartAsync();
        var bearer = issuer.CreateToken();
        issuer.Fault = OidcFault.ServerError;
        await using var app = await TestApp.For(host).WithSettings(issuer.Settings()).StartAsync();

        var response = await app.Client.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "auth_unavailable");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}
