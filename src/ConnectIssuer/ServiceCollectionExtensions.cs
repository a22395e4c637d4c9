using ConnectIssuer.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers everything both hosts need. The composition test calls this too.</summary>
    public static IServiceCollection AddConnectIssuer(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSecretStore();
        return services;
    }
}
