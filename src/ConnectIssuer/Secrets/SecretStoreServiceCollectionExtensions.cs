using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Secrets;

internal static class SecretStoreServiceCollectionExtensions
{
    public static IServiceCollection AddSecretStore(this IServiceCollection services)
    {
        services.AddOptions<KeyVaultOptions>().BindConfiguration(KeyVaultOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SecretStore>();
        return services;
    }
}
