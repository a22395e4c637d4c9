using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConnectIssuer.Http;

/// <summary>Builds the contract's RFC 9457 problem responses: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>, <c>code</c>, <c>traceId</c>.</summary>
public static class ProblemResults
{
    public static ProblemHttpResult From(HttpContext context, ApiProblemException problem)
    {
        if (problem.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        }

        if (problem.BearerError is { } bearerError)
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer error=\"{bearerError}\"";
        }

        return Create(context, problem.Status, problem.Code, problem.Message, problem.Errors);
    }

    public static ProblemHttpResult Create(
        HttpContext context, int status, string code, string detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Type = TypeFor(status);
        problem.Title = TitleFor(status);
        problem.Status = status;
        problem.Detail = detail;
        problem.Extensions["code"] = code;
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        return TypedResults.Problem(problem);
    }

    /// <summary>Whole seconds, rounded up, never below one (a client must wait at least that long).</summary>
    public static string RetryAfterSeconds(TimeSpan delay) =>
        Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        502 => "https://tools.ietf.org/html/rfc9110#section-15.6.3",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        504 => "https://tools.ietf.org/html/rfc9110#section-15.6.5",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };

    private static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Internal Server Error",
    };
}
