using ConnectIssuer.Alloy;
using ConnectIssuer.Connections;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Health;
using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using ConnectIssuer.Polytomic;

namespace ConnectIssuer.Server;

/// <summary>Maps <see cref="Routes.All"/> onto the pipeline and the handlers, one line each, as the Functions adapters do.</summary>
public static class ConnectIssuerEndpoints
{
    public static IEndpointRouteBuilder MapConnectIssuer(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/" + Routes.Prefix);

        // One line per route: the pipeline runs the route's handler (its issue method) with the route's description.
        api.MapPost(Routes.IntegrationAppToken, (HttpRequest request, IssuingPipeline pipeline, IntegrationAppTokenHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, IntegrationAppTokenHandler.Route, handler.IssueAsync, ct)).Issuing<EmptyRequest>("IntegrationAppToken");
        api.MapPost(Routes.IntegrationAppAdminToken, (HttpRequest request, IssuingPipeline pipeline, IntegrationAppAdminTokenHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, IntegrationAppAdminTokenHandler.Route, handler.IssueAsync, ct)).Issuing<EmptyRequest>("IntegrationAppAdminToken");
        api.MapPost(Routes.AlloyUserToken, (HttpRequest request, IssuingPipeline pipeline, AlloyUserTokenHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, AlloyUserTokenHandler.Route, handler.IssueAsync, ct)).Issuing<EmptyRequest>("AlloyUserToken");
        api.MapPost(Routes.PolytomicConnect, (HttpRequest request, IssuingPipeline pipeline, PolytomicConnectHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, PolytomicConnectHandler.Route, (caller, body, cancel) => handler.IssueAsync(caller, body, request.Headers, cancel), ct))
            .Issuing<PolytomicConnectRequest>("PolytomicConnect");
        api.MapPost(Routes.FivetranConnectCard, (HttpRequest request, IssuingPipeline pipeline, FivetranConnectCardHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, FivetranConnectCardHandler.Route, handler.IssueAsync, ct)).Issuing<FivetranConnectCardRequest>("FivetranConnectCard");
        api.MapGet(Routes.FivetranConnectionStatus, (HttpRequest request, string connectionId, IssuingPipeline pipeline, FivetranConnectionStatusHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, FivetranConnectionStatusHandler.Route, (caller, cancel) => handler.StatusAsync(caller, connectionId, cancel), ct))
            .Documented("FivetranConnectionStatus");
        api.MapGet(Routes.Connections, (HttpRequest request, IssuingPipeline pipeline, ListConnectionsHandler handler, CancellationToken ct) =>
            pipeline.RunAsync(request, ListConnectionsHandler.Route, (caller, cancel) => handler.ListAsync(caller, request.Query["vendor"], cancel), ct))
            .Documented("ListConnections", [400, 401, 429, 500, 503])
            .WithMetadata(new QueryParameterMetadata(
                "vendor",
                "Only these vendors (repeatable); an unknown vendor is 400 invalid_request.",
                [IntegrationApp.IntegrationAppVendor.Names.RouteKey, Alloy.AlloyVendor.Names.RouteKey, Fivetran.FivetranVendor.Names.RouteKey, Polytomic.PolytomicVendor.Names.RouteKey]));
        api.MapDelete(Routes.DeleteConnection, (HttpRequest request, string vendor, string connectionId, IssuingPipeline pipeline, DeleteConnectionHandler handler, CancellationToken ct) =>
            pipeline.RunWithoutContentAsync(request, DeleteConnectionHandler.RouteFor(vendor), (caller, cancel) => handler.DeleteAsync(caller, vendor, connectionId, cancel), ct))
            .Documented("DeleteConnection", [401, 403, 404, 429, 500, 502, 503, 504]);
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

    internal static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder, string functionName) =>
        builder.Documented(functionName, [400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503, 504]);

    /// <summary>Names the endpoint and documents the problem statuses the route can answer with.</summary>
    internal static RouteHandlerBuilder Documented(this RouteHandlerBuilder builder, string functionName, int[] problemStatuses)
    {
        builder.WithName(functionName);
        foreach (var status in problemStatuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}

/// <summary>A repeatable query parameter a handler reads itself (so the generator cannot see it), for the OpenAPI document.</summary>
public sealed record QueryParameterMetadata(string Name, string Description, string[] Values);

/// <summary>The JSON body type of an issuing route, for the OpenAPI document.</summary>
public sealed record RequestBodyMetadata(Type BodyType);
