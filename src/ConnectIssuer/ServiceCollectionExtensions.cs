using ConnectIssuer.Alloy;
using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using ConnectIssuer.Connections;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Health;
using ConnectIssuer.Hosting;
using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using ConnectIssuer.Polytomic;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer;

public static class ServiceCollectionExtensions
{
    private const string OidcMetadataClient = "oidc-metadata";

    /// <summary>Registers everything both hosts need. The composition test calls this too.</summary>
    public static IServiceCollection AddConnectIssuer(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, HealthJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(2, ConnectionsJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });

        // Caller authentication. Platform facts come from the process environment only, never from configuration.
        services.TryAddSingleton(_ => AppServicePlatform.FromProcess());
        services.AddValidatedOptions<CallerAuthenticationOptions>(CallerAuthenticationOptions.SectionName);
        services.AddSingleton<IValidateOptions<CallerAuthenticationOptions>, ValidateCallerAuthenticationOptions>();
        services.AddHttpClient(OidcMetadataClient, http => http.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<BaseConfigurationManager>(sp =>
        {
            var auth = sp.GetRequiredService<IOptions<CallerAuthenticationOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(OidcMetadataClient);
            return new ConfigurationManager<OpenIdConnectConfiguration>(
                auth.GetMetadataAddress()!.AbsoluteUri,
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(http) { RequireHttps = auth.RequireHttpsMetadata });
        });
        services.AddSingleton<ICallerAuthenticator>(sp => sp.GetRequiredService<IOptions<CallerAuthenticationOptions>>().Value.Mode switch
        {
            CallerAuthenticationMode.EasyAuth => ActivatorUtilities.CreateInstance<EasyAuthCallerAuthenticator>(sp),
            CallerAuthenticationMode.Development => ActivatorUtilities.CreateInstance<DevelopmentCallerAuthenticator>(sp),
            _ => ActivatorUtilities.CreateInstance<OidcCallerAuthenticator>(sp),
        });

        // The shared issuing pipeline: rate limit, redirect allowlist, audit
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddOptions<AllowedOriginsOptions>().Configure<Microsoft.Extensions.Configuration.IConfiguration>(AllowedOriginsOptions.Bind).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AllowedOriginsOptions>, ValidateAllowedOriginsOptions>();
        services.AddSingleton<CustomerRateLimiter>();
        services.AddSingleton<RedirectAllowlist>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IssuingPipeline>();

        // Secrets and vendor calls
        services.AddSecretStore();
        services.AddValidatedOptions<VendorsOptions>(VendorsOptions.SectionName);

        // Vendors
        services.AddIntegrationApp();
        services.AddAlloy();
        services.AddPolytomic();
        services.AddFivetran();

        // Connections at every vendor (each vendor registers its IConnectionSource); the cache hears of every issuance.
        services.AddValidatedOptions<ConnectionsOptions>(ConnectionsOptions.SectionName);
        services.AddSingleton<ConnectionsCache>();
        services.AddSingleton<ICustomerIssuanceObserver>(sp => sp.GetRequiredService<ConnectionsCache>());
        services.AddTransient<ListConnectionsHandler>();
        services.AddTransient<DeleteConnectionHandler>();

        services.AddSingleton<HealthHandler>();
        return services;
    }

    private static void AddIntegrationApp(this IServiceCollection services)
    {
        services.AddValidatedOptions<IntegrationAppOptions>(IntegrationAppOptions.SectionName);
        services.AddSingleton<IntegrationAppSigner>();
        services.AddSingleton<IntegrationAppTokenHandler>();
        services.AddSingleton<IntegrationAppAdminTokenHandler>();
        services.AddSingleton<IVendorStatus, IntegrationAppVendor>();
        services.AddVendorClient<MembraneClient, MembraneCredentials>(IntegrationAppVendor.Names.Name);
        services.AddTransient<IConnectionSource, IntegrationAppConnections>();
    }
}
