using ConnectIssuer.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace ConnectIssuer.Functions;

/// <summary><c>GET /api/health</c>. See <see cref="HealthHandler"/>.</summary>
public sealed class HealthFunction(HealthHandler handler)
{
    [Function("Health")]
    public Task<Ok<HealthResponse>> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(request, cancellationToken);
}
