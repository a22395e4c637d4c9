using ConnectIssuer.Polytomic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Polytomic;

public sealed class PolytomicOptionsTests
{
    [Fact]
    public void Bind_NoSettings_UsesDocumentedDefaults()
    {
        var options = Bind([]);

        Assert.Equal("https://app.polytomic.com/", options.EffectiveBaseUrl.AbsoluteUri);
        Assert.Equal("2025-09-18", options.EffectiveApiVersion);
        Assert.Empty(options.AllowedTypes);
        Assert.Null(options.EffectiveDefaultRedirectUrl);
        Assert.Equal("ci.", options.EffectiveNamePrefix);
    }

    [Theory]
    [InlineData("acme-prod.")]
    [InlineData("staging_2.")]
    [InlineData("ci.")]
    public void Bind_ValidNamePrefix_IsUsed(string prefix) =>
        Assert.Equal(prefix, Bind(new() { ["Polytomic:NamePrefix"] = prefix }).EffectiveNamePrefix);

    [Fact]
    public void Bind_EmptyValuesAsTheInfrastructureWritesThem_MeanDefaults()
    {
        var options = Bind(new()
        {
            ["Polytomic:BaseUrl"] = "", ["Polytomic:ApiVersion"] = "", ["Polytomic:DefaultRedirectUrl"] = "", ["Polytomic:NamePrefix"] = "",
            ["Polytomic:AllowedTypes:0"] = "salesforce", ["Polytomic:AllowedTypes:1"] = "hubspot",
        });

        Assert.Equal("https://app.polytomic.com/", options.EffectiveBaseUrl.AbsoluteUri);
        Assert.Equal("2025-09-18", options.EffectiveApiVersion);
        Assert.Null(options.EffectiveDefaultRedirectUrl);
        Assert.Equal(["salesforce", "hubspot"], options.AllowedTypes);
        Assert.Equal("ci.", options.EffectiveNamePrefix);
    }

    [Theory]
    [InlineData("Polytomic:BaseUrl", "ftp://polytomic.example")]
    [InlineData("Polytomic:BaseUrl", "http://polytomic.example")]
    [InlineData("Polytomic:BaseUrl", "polytomic.example")]
    [InlineData("Polytomic:ApiVersion", "latest")]
    [InlineData("Polytomic:AllowedTypes:0", "sales force")]
    [InlineData("Polytomic:DefaultRedirectUrl", "/done")]
    [InlineData("Polytomic:NamePrefix", "ci")]
    [InlineData("Polytomic:NamePrefix", "acme-prod-")]
    [InlineData("Polytomic:NamePrefix", "ci.x.")]
    [InlineData("Polytomic:NamePrefix", "Acme.")]
    [InlineData("Polytomic:NamePrefix", " ")]
    public void Bind_InvalidSetting_FailsNamingIt(string key, string value)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_RelativeDefaultRedirectUrl_SaysWhatStartUpAccepts()
    {
        // Start-up accepts http as well as https; the request-time allowlist then refuses http off localhost.
        var exception = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Polytomic:DefaultRedirectUrl"] = "/done" }));

        Assert.Contains("Polytomic:DefaultRedirectUrl must be an absolute http or https URL", exception.Message, StringComparison.Ordinal);
        Assert.Equal("http://localhost:5173/done", Bind(new() { ["Polytomic:DefaultRedirectUrl"] = "http://localhost:5173/done" }).EffectiveDefaultRedirectUrl);
    }

    private static PolytomicOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddPolytomic();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PolytomicOptions>>().Value;
    }
}
