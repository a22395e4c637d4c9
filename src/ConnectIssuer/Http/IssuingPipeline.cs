using System.Text.Json.Serialization.Metadata;
using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectIssuer.Http;

/// <summary>Which route and vendor a pipeline run belongs to, for the audit record.</summary>
/// <param name="Route">The route, as in <see cref="Routes"/>.</param>
/// <param name="Vendor">The vendor key.</param>
/// <param name="SuccessOutcome">The audit outcome of a success: <see cref="AuditOutcomes.Issued"/> for routes that issue
/// a token or link, another outcome (e.g. <see cref="AuditOutcomes.Read"/>) for routes that issue nothing.</param>
public sealed record IssuingRoute(string Route, string Vendor, string SuccessOutcome = AuditOutcomes.Issued);

/// <summary>
/// The one pipeline every authenticated route goes through, in this order: authenticate the caller,
/// take a per-customer permit, read the body within its limits, run the route's handler, map any
/// failure to the contract's problem response, write one audit record, and mark the answer
/// <c>no-store</c> and <c>nosniff</c>. Handlers only express their flow; they never build error responses themselves.
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
        HttpRequest request, IssuingRoute route, Func<Caller, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var result = await RunAsync<EmptyRequest, EmptyRequest>(
            request,
            route,
            null,
            async (caller, _, ct) =>
            {
                await handle(caller, ct);
                return new EmptyRequest();
            },
            cancellationToken);
        return result.Result is ProblemHttpResult problem ? problem : TypedResults.NoContent();
    }

    public Task<Results<Ok<TResponse>, ProblemHttpResult>> RunAsync<TResponse>(
        HttpRequest request, IssuingRoute route, Func<Caller, CancellationToken, Task<TResponse>> handle, CancellationToken cancellationToken)
        where TResponse : class =>
        RunAsync(request, route, HttpJsonContext.Default.EmptyRequest, (caller, _, ct) => handle(caller, ct), cancellationToken);

    public async Task<Results<Ok<TResponse>, ProblemHttpResult>> RunAsync<TBody, TResponse>(
        HttpRequest request,
        IssuingRoute route,
        JsonTypeInfo<TBody>? bodyType,
        Func<Caller, TBody?, CancellationToken, Task<TResponse>> handle,
        CancellationToken cancellationToken)
        where TBody : class
        where TResponse : class
    {
        var context = request.HttpContext;
        context.Response.Headers.CacheControl = "no-store";
        SecurityHeaders.Apply(context.Response);
        Caller? caller = null;
        try
        {
            caller = await authenticator.AuthenticateAsync(request, cancellationToken);
            context.User = caller.Principal;
            rateLimiter.Acquire(caller.CustomerId);
            var body = bodyType is null ? null : await JsonBody.ReadAsync(request, bodyType, cancellationToken);
            var response = await handle(caller, body, cancellationToken);
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
                return VendorProblem(vendor);
            case SecretsUnavailableException:
                return new ApiProblemException(
                    StatusCodes.Status503ServiceUnavailable, ProblemCodes.SecretsUnavailable, "The service's secrets cannot be read right now; retry later.");
            default:
                LogUnhandled(logger, exception);
                return new ApiProblemException(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "An unexpected error occurred.");
        }
    }

    /// <summary>The single place that chooses the status and code of a vendor failure.</summary>
    internal static ApiProblemException VendorProblem(VendorApiException exception) => exception.Failure switch
    {
        VendorFailure.Throttled => new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.VendorThrottled, exception.Message)
        {
            RetryAfter = exception.RetryAfter,
        },
        VendorFailure.Timeout => new(StatusCodes.Status504GatewayTimeout, ProblemCodes.VendorTimeout, exception.Message),
        _ => new(StatusCodes.Status502BadGateway, ProblemCodes.VendorError, exception.Message),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in the issuing pipeline")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
