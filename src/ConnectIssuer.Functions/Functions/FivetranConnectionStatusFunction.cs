using ConnectIssuer.Fivetran;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>GET /api/fivetran/connections/{connectionId}</c>. See <see cref="FivetranConnectionStatusHandler"/> for outcomes.</summary>
public sealed class FivetranConnectionStatusFunction(FivetranConnectionStatusHandler handler)
{
    [Function("FivetranConnectionStatus")]
    public Task<Results<Ok<FivetranConnectionStatusResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.FivetranConnectionStatus)] HttpRequest request,
        string connectionId,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(request, connectionId, cancellationToken);
}
