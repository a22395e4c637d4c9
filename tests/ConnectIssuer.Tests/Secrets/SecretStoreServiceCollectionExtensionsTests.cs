using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Azure.Security.KeyVault.Secrets;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Secrets;

public sealed class SecretStoreServiceCollectionExtensionsTests
{
    private const string VaultUri = "https://test-vault.vault.azure.net/";

    [Fact]
    public async Task AddConnectIssuer_KeyVaultUriSet_ResolvesStoreBackedByKeyVault()
    {
        using var vault = new FakeKeyVault();
        vault.Secrets[SecretNames.AlloyApiKey] = "from-vault";
        using var provider = BuildProvider(
            new() { ["KeyVault:Uri"] = vault.VaultUri.AbsoluteUri, [$"Secrets:{SecretNames.AlloyApiKey}"] = "from-configuration" },
            services => services.AddSingleton(vault.CreateClient()));

        var store = provider.GetRequiredService<SecretStore>();

        Assert.Equal("from-vault", await store.GetAsync(SecretNames.AlloyApiKey));
        Assert.Equal("from-vault", await store.GetAsync(SecretNames.AlloyApiKey));
        Assert.Equal(1, vault.ReadCount(SecretNames.AlloyApiKey));
        Assert.Same(store, provider.GetRequiredService<SecretStore>());
    }

    [Fact]
    public async Task AddConnectIssuer_NoKeyVaultUri_ResolvesStoreBackedByConfiguration()
    {
        using var provider = BuildProvider(new() { [$"Secrets:{SecretNames.AlloyApiKey}"] = "from-configuration" });

        var store = provider.GetRequiredService<SecretStore>();

        Assert.Equal("from-configuration", await store.GetAsync(SecretNames.AlloyApiKey));
        Assert.Null(await store.GetAsync(SecretNames.FivetranApiKey));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    public void AddConnectIssuer_KeyVaultUriSet_RegistersSecretClientForThatVault(string? managedIdentityClientId)
    {
        using var provider = BuildProvider(new()
        {
            ["KeyVault:Uri"] = VaultUri,
            ["KeyVault:ManagedIdentityClientId"] = managedIdentityClientId,
        });

        var client = provider.GetRequiredService<SecretClient>();

        Assert.Equal(new Uri(VaultUri), client.VaultUri);
        Assert.NotNull(provider.GetRequiredService<SecretStore>());
    }

    [Fact]
    public void AddConnectIssuer_CacheTtlOverOneDay_FailsOptionsValidation()
    {
        using var provider = BuildProvider(new() { ["KeyVault:CacheTtl"] = "2.00:00:00" });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value);

        Assert.Contains(nameof(KeyVaultOptions.CacheTtl), exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyVault:CacheTtl", "00:00:09", "KeyVault:CacheTtl")]
    [InlineData("KeyVault:CacheTtl", "00:00:00", "KeyVault:CacheTtl")]
    [InlineData("KeyVault:MaxStale", "1.00:00:01", "KeyVault:MaxStale")]
    [InlineData("KeyVault:MaxStale", "-00:00:01", "KeyVault:MaxStale")]
    public async Task Start_KeyVaultTimingOutOfRange_FailsNamingTheSetting(string key, string value, string expectedInMessage)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Oidc",
            ["Auth:Authority"] = "http://127.0.0.1:1",
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = "api://x",
            [key] = value,
        };

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings));

        Assert.Contains(expectedInMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddConnectIssuer_KeyVaultDefaults_TenSecondFloorAndOneHourMaxStale()
    {
        using var provider = BuildProvider(new() { ["KeyVault:CacheTtl"] = "00:00:10" });

        var options = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), options.CacheTtl);
        Assert.Equal(TimeSpan.FromHours(1), options.MaxStale);
    }

    [Fact]
    public void CreateSecretClientOptions_Production_BoundsRetriesAndNetworkTimeout()
    {
        var options = SecretStoreServiceCollectionExtensions.CreateSecretClientOptions();

        Assert.Equal(2, options.Retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Retry.NetworkTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Retry.MaxDelay);
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> settings, Action<IServiceCollection>? replace = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = Environments.Production });
        services.AddConnectIssuer();
        replace?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
