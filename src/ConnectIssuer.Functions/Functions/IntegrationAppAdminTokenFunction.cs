using ConnectIssuer.Http;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>POST /api/integration-app/admin-token</c>. See <see cref="IntegrationAppAdminTokenHandler"/> for outcomes.</summary>
public sealed class IntegrationAppAdminTokenFunction(IssuingPipeline pipeline, IntegrationAppAdminTokenHandler handler)
{
    [Function("IntegrationAppAdminToken")]
    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IntegrationAppAdminToken)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, IntegrationAppAdminTokenHandler.Route, handler.IssueAsync, cancellationToken);
}
