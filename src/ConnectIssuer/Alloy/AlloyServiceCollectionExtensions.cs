using ConnectIssuer.Health;
using ConnectIssuer.Hosting;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Alloy;

internal static class AlloyServiceCollectionExtensions
{
    /// <summary>Registers the Alloy options, client, handler and health status.</summary>
    public static IServiceCollection AddAlloy(this IServiceCollection services)
    {
        services.AddValidatedOptions<AlloyOptions>(AlloyOptions.SectionName);
        services.AddVendorClient<AlloyClient, AlloyCredentials>(AlloyVendor.Names.Name);
        services.AddSingleton<AlloyUserIds>();

        // Transient, like the typed client it holds.
        services.AddTransient<AlloyUserTokenHandler>();
        services.AddSingleton<IVendorStatus, AlloyVendor>();
        services.AddTransient<Connections.IConnectionSource, AlloyConnections>();
        return services;
    }
}
