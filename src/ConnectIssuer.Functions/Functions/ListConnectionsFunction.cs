using ConnectIssuer.Connections;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>GET /api/connections</c>. See <see cref="ListConnectionsHandler"/> for outcomes.</summary>
public sealed class ListConnectionsFunction(IssuingPipeline pipeline, ListConnectionsHandler handler)
{
    [Function("ListConnections")]
    public Task<Results<Ok<ConnectionsResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Connections)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, ListConnectionsHandler.Route, (caller, ct) => handler.ListAsync(caller, request.Query["vendor"], ct), cancellationToken);
}
