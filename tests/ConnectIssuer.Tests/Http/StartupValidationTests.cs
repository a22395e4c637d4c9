using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Http;

/// <summary>A present but invalid setting stops start-up with a message that names it (contract § Start-up).</summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string, string?, string> InvalidSettings => new()
    {
        { "IntegrationApp:Algorithm", "HS1024", "IntegrationApp:Algorithm" },
        { "IntegrationApp:Algorithm", "none", "IntegrationApp:Algorithm" },
        { "IntegrationApp:TokenLifetime", "1.00:00:01", "TokenLifetime" },
        { "IntegrationApp:Fields:plan", "", "IntegrationApp:Fields:plan" },
        { "Auth:Authority", null, "Auth:Authority" },
        { "Auth:Audiences:0", null, "Auth:Audiences" },
        { "Auth:Authority", "http://login.example.com", "Auth:RequireHttpsMetadata" },
        { "Auth:RequireHttpsMetadata", "true", "Auth:Authority uses http" },
        { "AllowedOrigins:0", "https://app.example.com/path", "AllowedOrigins:0" },
        { "AllowedOrigins:1", "http://app.example.com", "AllowedOrigins:1" },
        { "AllowedOrigins:1", "http://localhost:5173", "AllowedOrigins:1" },
        { "Auth:RequiredScopes:0", "access_as_user connect", "Auth:RequiredScopes:0" },
        { "KeyVault:CacheTtl", "2.00:00:00", "CacheTtl" },
        { "RateLimit:PermitsPerMinute", "0", "PermitsPerMinute" },
        { "Vendors:Timeout", "00:10:00", "Timeout" },
        { "Connections:CacheTtl", "02:00:00", "Connections:CacheTtl" },
        { "Connections:CacheTtl", "-00:00:01", "Connections:CacheTtl" },
        { "IntegrationApp:ApiBaseUrl", "http://api.integration.app", "IntegrationApp:ApiBaseUrl" },
        { "IntegrationApp:ApiBaseUrl", "https://user:pass@api.integration.app", "IntegrationApp:ApiBaseUrl" },
        { "Auth:DisconnectRole", "connections editor", "Auth:DisconnectRole" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task Start_InvalidSetting_FailsNamingIt(string key, string? value, string expectedInMessage)
    {
        var settings = ValidSettings();
        settings[key] = value;

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartServerAsync(settings));

        Assert.IsType<OptionsValidationException>(exception);
        Assert.Contains(expectedInMessage, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth:ValidTypes:0", "at+jwt")]
    [InlineData("Auth:RequiredScopes:0", "access_as_user")]
    [InlineData("Auth:AllowedClientIds:0", "spa-client")]
    public async Task Start_OidcOnlySettingInDevelopmentMode_FailsNamingIt(string key, string value)
    {
        var settings = new Dictionary<string, string?> { ["Auth:Mode"] = "Development", [key] = value };

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings, "Development"));

        Assert.Contains(key[..key.LastIndexOf(':')], exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MalformedUrl_FailsNamingIt()
    {
        var settings = ValidSettings();
        settings["Auth:Authority"] = "not a url";

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings));

        Assert.Contains("Auth:Authority", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoVendorConfigured_StartsAndReportsEveryVendorNotConfigured()
    {
        await using var server = await TestApp.StartServerAsync(ValidSettings());

        var response = await server.Client.GetAsync(new Uri("/api/health", UriKind.Relative));

        var body = await response.ReadJsonAsync();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.All(body.GetProperty("vendors").EnumerateObject(), vendor => Assert.Equal("not-configured", vendor.Value.GetString()));
        Assert.Equal(4, body.GetProperty("vendors").EnumerateObject().Count());
    }

    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Auth:Mode"] = "Oidc",
        ["Auth:Authority"] = "http://127.0.0.1:1",
        ["Auth:RequireHttpsMetadata"] = "false",
        ["Auth:Audiences:0"] = "api://x",
        ["AllowedOrigins:0"] = "https://app.example.com",
    };
}
