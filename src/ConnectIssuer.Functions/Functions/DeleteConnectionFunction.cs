using ConnectIssuer.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>DELETE /api/connections/{vendor}/{connectionId}</c>. See <see cref="DeleteConnectionHandler"/> for outcomes.</summary>
public sealed class DeleteConnectionFunction(DeleteConnectionHandler handler)
{
    [Function("DeleteConnection")]
    public Task<Results<NoContent, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.DeleteConnection)] HttpRequest request,
        string vendor,
        string connectionId,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(request, vendor, connectionId, cancellationToken);
}
