using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectIssuer.Secrets;

internal static class SecretStoreServiceCollectionExtensions
{
    public static IServiceCollection AddSecretStore(this IServiceCollection services)
    {
        services.AddOptions<KeyVaultOptions>().BindConfiguration(KeyVaultOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // A factory, so tests and benchmarks can register their own SecretClient (e.g. with a fake transport).
        // It is only resolved when KeyVault:Uri is set.
        services.TryAddSingleton(sp => CreateSecretClient(sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value));

        services.AddSingleton(sp => new SecretStore(
            sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value.Uri is null ? null : sp.GetRequiredService<SecretClient>(),
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<IOptions<KeyVaultOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SecretStore>>()));
        return services;
    }

    /// <summary>The client options used in production; tests start from these and swap the transport.</summary>
    internal static SecretClientOptions CreateSecretClientOptions() => new()
    {
        // Bounded so a hung or failing vault cannot hold requests for long: each try gives up after 5 s and there
        // are at most 2 retries (SDK exponential back-off from 0.5 s, capped at 2 s), so a read ends within ~20 s.
        // Callers stop waiting sooner on their own cancellation; a cached value is served stale meanwhile.
        Retry =
        {
            Mode = RetryMode.Exponential,
            MaxRetries = 2,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(2),
            NetworkTimeout = TimeSpan.FromSeconds(5),
        },
    };

    private static SecretClient CreateSecretClient(KeyVaultOptions options)
    {
        var vaultUri = options.Uri ?? throw new InvalidOperationException($"{KeyVaultOptions.SectionName}:Uri is not set.");
        TokenCredential credential = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));
        return new SecretClient(vaultUri, credential, CreateSecretClientOptions());
    }
}
