using ConnectIssuer.Fivetran;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>GET /api/fivetran/connections/{connectionId}</c>. See <see cref="FivetranConnectionStatusHandler"/> for outcomes.</summary>
public sealed class FivetranConnectionStatusFunction(IssuingPipeline pipeline, FivetranConnectionStatusHandler handler)
{
    [Function("FivetranConnectionStatus")]
    public Task<Results<Ok<FivetranConnectionStatusResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.FivetranConnectionStatus)] HttpRequest request,
        string connectionId,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, FivetranConnectionStatusHandler.Route, (caller, ct) => handler.StatusAsync(caller, connectionId, ct), cancellationToken);
}
