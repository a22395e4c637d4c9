using ConnectIssuer.Fivetran;
using ConnectIssuer.Health;
using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;

namespace ConnectIssuer.Server;

/// <summary>Maps <see cref="Routes.All"/> onto the handlers, one line each, as the Functions adapters do.</summary>
public static class ConnectIssuerEndpoints
{
    public static IEndpointRouteBuilder MapConnectIssuer(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/" + Routes.Prefix);

        api.MapPost(Routes.IntegrationAppToken, (HttpRequest request, IntegrationAppTokenHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).Issuing<EmptyRequest>("IntegrationAppToken");
        api.MapPost(Routes.IntegrationAppAdminToken, (HttpRequest request, IntegrationAppAdminTokenHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).Issuing<EmptyRequest>("IntegrationAppAdminToken");
        api.MapPost(Routes.FivetranConnectCard, (HttpRequest request, FivetranConnectCardHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).Issuing<FivetranConnectCardRequest>("FivetranConnectCard");
        api.MapGet(Routes.FivetranConnectionStatus, (HttpRequest request, string connectionId, FivetranConnectionStatusHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, connectionId, ct)).Documented("FivetranConnectionStatus");
        api.MapGet(Routes.Health, (HttpRequest request, HealthHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).WithName("Health");
        return endpoints;
    }

    /// <summary>Names the endpoint after its function and documents the body and the contract's problem responses.</summary>
    private static RouteHandlerBuilder Issuing<TBody>(this RouteHandlerBuilder builder, string functionName)
        where TBody : notnull =>
        builder.Documented(functionName).Accepts<TBody>(isOptional: true, "application/json");

    private static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder, string functionName)
    {
        builder.WithName(functionName);
        foreach (var status in (int[])[400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503, 504])
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}
