using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>POST /api/integration-app/token</c>. See <see cref="IntegrationAppTokenHandler"/> for outcomes.</summary>
public sealed class IntegrationAppTokenFunction(IssuingPipeline pipeline, IntegrationAppTokenHandler handler)
{
    [Function("IntegrationAppToken")]
    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IntegrationAppToken)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, IntegrationAppTokenHandler.Route, handler.IssueAsync, cancellationToken);
}
