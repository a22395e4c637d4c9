using ConnectIssuer.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace ConnectIssuer.Functions;

/// <summary>
/// The worker's one place for <see cref="SecurityHeaders"/>: every function's HTTP answer carries them, success or problem,
/// as every answer of the standalone server does through its own middleware. The product code never sets them.
/// </summary>
public sealed class SecurityHeadersMiddleware : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            SecurityHeaders.Apply(http.Response);
        }

        return next(context);
    }
}
