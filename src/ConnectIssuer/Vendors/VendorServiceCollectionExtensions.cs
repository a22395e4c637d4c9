using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Vendors;

public static class VendorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a typed vendor client. The deadline and the body bound are enforced by
    /// <see cref="VendorTransport"/>, so the client itself has no timeout of its own, and it never
    /// follows redirects (a vendor redirect must not carry our credentials anywhere).
    /// </summary>
    public static IHttpClientBuilder AddVendorClient<TClient>(this IServiceCollection services)
        where TClient : class =>
        services.AddHttpClient<TClient>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });
}
