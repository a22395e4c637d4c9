using System.Net;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectIssuer.Alloy;

/// <summary>
/// <c>POST /api/alloy/token</c>: a user token for <c>Alloy.setToken</c>, for the caller's customer. The body is
/// ignored. No database: the Alloy username is derived from the customer id (<see cref="AlloyUsername"/>).
/// </summary>
/// <remarks>
/// Steady state is one vendor call: the token, asked for by username. Only when Alloy says the user does not
/// exist is it created (<c>username</c>, <c>fullName</c> from the caller's name) and the token asked for again. A
/// create that Alloy refuses because a concurrent request (on any instance) created the user first is followed by
/// that same token request, not by an error. Outcomes: 200 with <c>token</c>, <c>customerId</c>, <c>userId</c> when
/// Alloy named it (the create answer does; the token answer does not) and <c>expiresAt</c> when the token has an
/// <c>exp</c>; 409 when Alloy reports a conflicting user that still cannot be found; otherwise the vendor problems.
/// </remarks>
public sealed partial class AlloyUserTokenHandler(
    IssuingPipeline pipeline, AlloyClient client, AlloyUserCreations creations, IOptions<AlloyOptions> options, ILogger<AlloyUserTokenHandler> logger)
{
    private static readonly IssuingRoute Route = new(Routes.AlloyUserToken, "alloy");

    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, Route, IssueAsync, cancellationToken);

    private async Task<IssueResponse> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        var prefix = options.Value.UsernamePrefix ?? throw ApiProblemException.VendorNotConfigured(AlloyClient.Vendor, "the setting Alloy:UsernamePrefix");
        var username = AlloyUsername.For(prefix, caller.CustomerId);

        var token = await client.GetUserTokenAsync(username, cancellationToken);
        string? createdUserId = null;
        if (token is null)
        {
            var outcome = await creations.CreateOnceAsync(username, ct => client.CreateUserAsync(username, caller.Name, ct), cancellationToken);
            if (outcome.Created)
            {
                createdUserId = outcome.UserId;
                LogUserCreated(logger, caller.CustomerId);
            }
            else
            {
                LogCreateRefused(logger, caller.CustomerId, (int)outcome.StatusCode);
            }

            token = await client.GetUserTokenAsync(username, cancellationToken) ?? throw Unresolved(outcome);
        }

        return new IssueResponse(Route.Vendor)
        {
            Token = token.Token,
            UserId = token.UserId ?? createdUserId,
            CustomerId = caller.CustomerId,
            ExpiresAt = token.ExpiresAt,
        };
    }

    // The user is still unknown after the create: a 409 that names a conflicting user we cannot find is the
    // contract's unresolvable conflict; a 400/422 was a plain rejection of the create; a success that is not
    // visible yet is the vendor's failure.
    private static Exception Unresolved(AlloyCreateUserOutcome outcome) => outcome switch
    {
        { Created: false, StatusCode: HttpStatusCode.Conflict } =>
            ApiProblemException.Conflict("Alloy reports a conflicting user for this customer, but it cannot be found."),
        { Created: false } => new VendorApiException(AlloyClient.Vendor, VendorFailure.Rejected, outcome.StatusCode),
        _ => new VendorApiException(AlloyClient.Vendor, VendorFailure.Rejected, HttpStatusCode.NotFound),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the Alloy user of customer {CustomerId}")]
    private static partial void LogUserCreated(ILogger logger, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alloy refused to create the user of customer {CustomerId} ({StatusCode}); asking for the token again, as another request may have created it")]
    private static partial void LogCreateRefused(ILogger logger, string customerId, int statusCode);
}
