using ConnectIssuer.Health;
using ConnectIssuer.Hosting;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Fivetran;

internal static class FivetranServiceCollectionExtensions
{
    /// <summary>Registers the Fivetran Connect Card and connection-status routes, their client, options and health status.</summary>
    public static IServiceCollection AddFivetran(this IServiceCollection services)
    {
        services.AddValidatedOptions<FivetranOptions>(FivetranOptions.SectionName);
        services.AddSingleton<IValidateOptions<FivetranOptions>, ValidateFivetranOptions>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, FivetranHttpJsonContext.Default));
        services.AddVendorClient<FivetranClient, FivetranCredentials>(FivetranVendor.Names.Name);
        services.AddSingleton(sp => new KeyedSingleFlight<string, FivetranConnectionLookup>(sp.GetRequiredService<TimeProvider>(), StringComparer.Ordinal));

        // Transient: they hold the typed client, which must not be captured by a singleton.
        services.AddTransient<FivetranConnectCardHandler>();
        services.AddTransient<FivetranConnectionStatusHandler>();
        services.AddSingleton<IVendorStatus, FivetranVendor>();
        services.AddTransient<Connections.IConnectionSource, FivetranConnections>();
        return services;
    }
}
