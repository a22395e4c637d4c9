using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using ConnectIssuer.Polytomic;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>POST /api/polytomic/connect</c>. See <see cref="PolytomicConnectHandler"/> for outcomes.</summary>
public sealed class PolytomicConnectFunction(IssuingPipeline pipeline, PolytomicConnectHandler handler)
{
    [Function("PolytomicConnect")]
    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PolytomicConnect)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, PolytomicConnectHandler.Route, (caller, body, ct) => handler.IssueAsync(caller, body, request.Headers, ct), cancellationToken);
}
