using ConnectIssuer.Alloy;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>POST /api/alloy/token</c>. See <see cref="AlloyUserTokenHandler"/> for outcomes.</summary>
public sealed class AlloyUserTokenFunction(IssuingPipeline pipeline, AlloyUserTokenHandler handler)
{
    [Function("AlloyUserToken")]
    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.AlloyUserToken)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, AlloyUserTokenHandler.Route, handler.IssueAsync, cancellationToken);
}
