using System.Text.Json.Serialization.Metadata;
using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectIssuer.Issuing;

/// <summary>
/// What the pipeline needs to know of one route, declared by its handler as a static <c>Route</c>: the route (as in
/// <see cref="Routes"/>) and vendor key for the audit record, the JSON body it reads, and the audit outcome of a success.
/// </summary>
/// <typeparam name="TBody">The body the handler's issue method takes (<see cref="EmptyRequest"/> when it takes none).</typeparam>
/// <param name="Route">The route, as in <see cref="Routes"/>.</param>
/// <param name="Vendor">The vendor's route key.</param>
/// <param name="BodyType">The body's JSON type; <see langword="null"/> when the route reads no body (a GET).</param>
/// <param name="SuccessOutcome">The audit outcome of a success: <see cref="AuditOutcomes.Issued"/> for routes that issue
/// a token or link, another outcome (e.g. <see cref="AuditOutcomes.Read"/>) for routes that issue nothing.</param>
public sealed record IssuingRoute<TBody>(string Route, string Vendor, JsonTypeInfo<TBody>? BodyType, string SuccessOutcome = AuditOutcomes.Issued)
    where TBody : class;

/// <summary>The route descriptions shared by several handlers.</summary>
public static class IssuingRoute
{
    /// <summary>Gets the body type of a POST route whose handler takes no body: <c>{}</c> or nothing, within the body limits.</summary>
    public static JsonTypeInfo<EmptyRequest> EmptyBody => HttpJsonContext.Default.EmptyRequest;
}

/// <summary>
/// The one pipeline every authenticated route goes through, in this order: authenticate the caller,
/// take a per-customer permit, read the body within its limits, run the route's handler, map any
/// failure to the contract's problem response, write one audit record, and mark the answer
/// <c>no-store</c>. Handlers only express their flow and never see the pipeline; a host adapter calls
/// <c>pipeline.RunAsync(request, XHandler.Route, handler.IssueAsync, ct)</c>, one line per route.
/// </summary>
public sealed partial class IssuingPipeline(
    ICallerAuthenticator authenticator,
    CustomerRateLimiter rateLimiter,
    AuditLog audit,
    IEnumerable<ICustomerIssuanceObserver> observers,
    ILogger<IssuingPipeline> logger)
{
    /// <summary>Runs a route whose success has no body (<c>204</c>), such as a delete; everything else as for the other routes.</summary>
    public async Task<Results<NoContent, ProblemHttpResult>> RunWithoutContentAsync(
        HttpRequest request, IssuingRoute<EmptyRequest> route, Func<Caller, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var result = await RunAsync(
            request,
            route,
            async (caller, ct) =>
            {
                await handle(caller, ct);
                return new EmptyRequest();
            },
            cancellationToken);
        return result.Result is ProblemHttpResult problem ? problem : TypedResults.NoContent();
    }

    /// <summary>Runs a route whose handler takes no body (the body, if any, is still read within its limits and ignored).</summary>
    public Task<Results<Ok<TResponse>, ProblemHttpResult>> RunAsync<TResponse>(
        HttpRequest request, IssuingRoute<EmptyRequest> route, Func<Caller, CancellationToken, Task<TResponse>> issue, CancellationToken cancellationToken)
        where TResponse : class =>
        RunAsync(request, route, (caller, _, ct) => issue(caller, ct), cancellationToken);

    /// <summary>Runs a route whose handler takes the caller and the route's JSON body.</summary>
    public async Task<Results<Ok<TResponse>, ProblemHttpResult>> RunAsync<TBody, TResponse>(
        HttpRequest request,
        IssuingRoute<TBody> route,
        Func<Caller, TBody?, CancellationToken, Task<TResponse>> issue,
        CancellationToken cancellationToken)
        where TBody : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(issue);
        var context = request.HttpContext;
        context.Response.Headers.CacheControl = "no-store";
        Caller? caller = null;
        try
        {
            caller = await authenticator.AuthenticateAsync(request, cancellationToken);
            context.User = caller.Principal;
            rateLimiter.Acquire(caller.CustomerId);
            var body = route.BodyType is null ? null : await JsonBody.ReadAsync(request, route.BodyType, cancellationToken);
            var response = await issue(caller, body, cancellationToken);
            audit.Record(route.Route, route.Vendor, caller.CustomerId, caller.Subject, route.SuccessOutcome, (response as IssueResponse)?.Token);
            if (route.SuccessOutcome == AuditOutcomes.Issued)
            {
                foreach (var observer in observers)
                {
                    observer.OnIssued(caller.CustomerId);
                }
            }

            return TypedResults.Ok(response);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            audit.Record(route.Route, route.Vendor, caller?.CustomerId, caller?.Subject, AuditOutcomes.Cancelled, null);
            throw;
        }
        catch (Exception exception)
        {
            var problem = ToProblem(exception);
            audit.Record(route.Route, route.Vendor, caller?.CustomerId, caller?.Subject, problem.Code, null);
            return ProblemResults.From(context, problem);
        }
    }

    private ApiProblemException ToProblem(Exception exception)
    {
        switch (exception)
        {
            case ApiProblemException problem:
                return problem;
            case VendorApiException vendor:
                return VendorProblems.From(vendor);
            case SecretsUnavailableException:
                return new ApiProblemException(
                    StatusCodes.Status503ServiceUnavailable, ProblemCodes.SecretsUnavailable, "The service's secrets cannot be read right now; retry later.");
            default:
                LogUnhandled(logger, exception);
                return new ApiProblemException(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "An unexpected error occurred.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in the issuing pipeline")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
