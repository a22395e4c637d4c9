using ConnectIssuer.Alloy;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Health;
using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Polytomic;

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
        api.MapPost(Routes.AlloyUserToken, (HttpRequest request, AlloyUserTokenHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).Issuing<EmptyRequest>("AlloyUserToken");
        api.MapPost(Routes.PolytomicConnect, (HttpRequest request, PolytomicConnectHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).Issuing<PolytomicConnectRequest>("PolytomicConnect");
        api.MapPost(Routes.FivetranConnectCard, (HttpRequest request, FivetranConnectCardHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).Issuing<FivetranConnectCardRequest>("FivetranConnectCard");
        api.MapGet(Routes.FivetranConnectionStatus, (HttpRequest request, string connectionId, FivetranConnectionStatusHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, connectionId, ct)).Documented("FivetranConnectionStatus");
        api.MapGet(Routes.Health, (HttpRequest request, HealthHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, ct)).WithName("Health");
        return endpoints;
    }

    /// <summary>Names the endpoint after its function and documents the body and the contract's problem responses.</summary>
    /// <remarks>
    /// The body type is recorded as <see cref="RequestBodyMetadata"/>, not <c>Accepts</c>: accepts metadata
    /// makes routing answer a wrong content type with its own bare 415, before the issuing pipeline could
    /// authenticate the caller and answer with the contract's problem.
    /// </remarks>
    private static RouteHandlerBuilder Issuing<TBody>(this RouteHandlerBuilder builder, string functionName)
        where TBody : notnull =>
        builder.Documented(functionName).WithMetadata(new RequestBodyMetadata(typeof(TBody)));

    internal static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder, string functionName)
    {
        builder.WithName(functionName);
        foreach (var status in (int[])[400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503, 504])
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}

/// <summary>The JSON body type of an issuing route, for the OpenAPI document.</summary>
public sealed record RequestBodyMetadata(Type BodyType);
