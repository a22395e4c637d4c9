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

    public static TheoryData<HostKind> Hosts => AppHost.Both;

    [Theory]
    [MemberData(nameof(HostsOutsideDevelopment))]
    public async Task DevelopmentCallerMode_OutsideDevelopment_IsRefusedAtStartNamingTheSetting(HostKind host, string? environment)
    {
        var settings = new Dictionary<string, string?> { ["Auth:Mode"] = "Development" };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => AppHost.StartAsync(host, settings, environment));

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
        await using var app = await AppHost.StartAsync(host, settings, "Development");
        using var request = HttpExtensions.Post("/api/integration-app/token");
        request.Headers.Add("X-Customer-Id", "org_dev");

        var response = await app.Client.SendAsync(request);

        var body = await response.ReadJsonAsync();
        Assert.Equal("org_dev", body.GetProperty("customerId").GetString());
        Assert.True(Jwt.VerifyHmac(body.GetProperty("token").GetString()!, System.Security.Cryptography.HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(Secret)));
    }
}
