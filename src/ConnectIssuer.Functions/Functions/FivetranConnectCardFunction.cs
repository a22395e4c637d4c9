using ConnectIssuer.Fivetran;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>POST /api/fivetran/connect-card</c>. See <see cref="FivetranConnectCardHandler"/> for outcomes.</summary>
public sealed class FivetranConnectCardFunction(IssuingPipeline pipeline, FivetranConnectCardHandler handler)
{
    [Function("FivetranConnectCard")]
    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.FivetranConnectCard)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, FivetranConnectCardHandler.Route, handler.IssueAsync, cancellationToken);
}
