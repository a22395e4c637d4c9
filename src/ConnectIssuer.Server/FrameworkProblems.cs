using System.Diagnostics;
using ConnectIssuer.Http;

namespace ConnectIssuer.Server;

/// <summary>
/// Problems the framework writes itself (an unknown route, a wrong method, an exception outside the
/// pipeline) get the contract's <c>code</c> and <c>traceId</c> too, so every error body a client sees
/// has the same shape.
/// </summary>
internal static class FrameworkProblems
{
    public static void AddContractFields(ProblemDetailsContext context)
    {
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        context.ProblemDetails.Extensions.TryAdd("code", status switch
        {
            StatusCodes.Status404NotFound => ProblemCodes.NotFound,
            StatusCodes.Status413PayloadTooLarge => ProblemCodes.PayloadTooLarge,
            StatusCodes.Status415UnsupportedMediaType => ProblemCodes.UnsupportedMediaType,
            >= 400 and < 500 => ProblemCodes.InvalidRequest,
            _ => ProblemCodes.InternalError,
        });
        context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        context.ProblemDetails.Detail ??= status switch
        {
            StatusCodes.Status404NotFound => "No route matches this path.",
            StatusCodes.Status405MethodNotAllowed => "This route does not accept this HTTP method.",
            >= 400 and < 500 => "The request is invalid.",
            _ => "An unexpected error occurred.",
        };
    }
}
