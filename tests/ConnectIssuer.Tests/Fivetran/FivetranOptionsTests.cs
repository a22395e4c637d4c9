using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary>Start-up validation of the <c>Fivetran</c> settings: a present but invalid value stops the server and names the setting.</summary>
public sealed class FivetranOptionsTests(FivetranFixture fixture) : IClassFixture<FivetranFixture>
{
    [Theory]
    [InlineData("Fivetran:SchemaPrefix", "CI_", "Fivetran:SchemaPrefix")]
    [InlineData("Fivetran:SchemaPrefix", "1ci_", "Fivetran:SchemaPrefix")]
    [InlineData("Fivetran:SchemaPrefix", "ci-", "Fivetran:SchemaPrefix")]
    [InlineData("Fivetran:SchemaPrefix", "a_very_long_prefix_x_", "Fivetran:SchemaPrefix")]
    [InlineData("Fivetran:BaseUrl", "http://api.fivetran.com", "Fivetran:BaseUrl")]
    [InlineData("Fivetran:BaseUrl", "https://user:pw@api.fivetran.com", "Fivetran:BaseUrl")]
    [InlineData("Fivetran:AllowedServices:0", "Sales Force", "Fivetran:AllowedServices:0")]
    [InlineData("Fivetran:DefaultRedirectUri", "https://evil.example/done", "Fivetran:DefaultRedirectUri")]
    [InlineData("Fivetran:DefaultRedirectUri", "http://app.example.com/done", "Fivetran:DefaultRedirectUri")]
    [InlineData("Fivetran:DefaultRedirectUri", "/done", "Fivetran:DefaultRedirectUri")]
    public async Task Start_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        await using var vendor = await VendorServer.StartAsync(new Sandbox.FivetranSimulation("k", "s", ["g"]));

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartServerAsync(FivetranTestbed.Settings(fixture.Issuer, vendor, new() { [key] = value })));

        Assert.Contains(named, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fivetran:SchemaPrefix", "")]
    [InlineData("Fivetran:SchemaPrefix", "_")]
    [InlineData("Fivetran:DefaultRedirectUri", "https://app.example.com/done")]
    [InlineData("Fivetran:DefaultRedirectUri", "https://localhost:5173/done")]
    [InlineData("Fivetran:DefaultRedirectUri", "")]
    [InlineData("Fivetran:BaseUrl", "https://api.fivetran.com")]
    public async Task Start_ValidSetting_Starts(string key, string value)
    {
        await using var vendor = await VendorServer.StartAsync(new Sandbox.FivetranSimulation("k", "s", ["g"]));

        await using var server = await TestApp.StartServerAsync(FivetranTestbed.Settings(fixture.Issuer, vendor, new() { [key] = value }));

        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/health")).StatusCode);
    }
}
