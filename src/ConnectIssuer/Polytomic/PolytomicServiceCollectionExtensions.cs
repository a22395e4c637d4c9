using ConnectIssuer.Health;
using ConnectIssuer.Hosting;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Polytomic;

internal static class PolytomicServiceCollectionExtensions
{
    /// <summary>Registers Polytomic Connect: options, the typed client, the handler (transient, as it holds the client) and its health status.</summary>
    public static IServiceCollection AddPolytomic(this IServiceCollection services)
    {
        services.AddValidatedOptions<PolytomicOptions>(PolytomicOptions.SectionName);
        services.AddVendorClient<PolytomicClient, PolytomicCredentials>(PolytomicVendor.Names.Name);
        services.AddTransient<PolytomicConnectHandler>();
        services.AddSingleton<IVendorStatus, PolytomicVendor>();
        services.AddTransient<Connections.IConnectionSource, PolytomicConnections>();
        return services;
    }
}
