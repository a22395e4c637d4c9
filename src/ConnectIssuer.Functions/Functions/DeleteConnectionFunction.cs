using ConnectIssuer.Connections;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>DELETE /api/connections/{vendor}/{connectionId}</c>. See <see cref="DeleteConnectionHandler"/> for outcomes.</summary>
public sealed class DeleteConnectionFunction(IssuingPipeline pipeline, DeleteConnectionHandler handler)
{
    [Function("DeleteConnection")]
    public Task<Results<NoContent, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.DeleteConnection)] HttpRequest request,
        string vendor,
        string connectionId,
        CancellationToken cancellationToken) =>
        pipeline.RunWithoutContentAsync(
            request, DeleteConnectionHandler.RouteFor(vendor), (caller, ct) => handler.DeleteAsync(caller, vendor, connectionId, ct), cancellationToken);
}
