using System.Net;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>
/// <c>POST /api/alloy/token</c>: a user token for <c>Alloy.setToken</c>, for the caller's customer. The body is
/// ignored. No database: the Alloy username is derived from the customer id (<see cref="AlloyUsername"/>).
/// </summary>
/// <remarks>
/// <para>
/// The user id comes from <see cref="AlloyUserIds"/> (per instance: a bounded cache, one shared resolution per
/// username). Steady state is one vendor call: the token, asked for by user id. A username not cached yet is looked
/// up (<c>GET /users/{username}</c>); only when Alloy says it does not exist is it created (<c>username</c>,
/// <c>fullName</c> from the caller's name). A create that Alloy refuses because a concurrent request (on any
/// instance) created the user first is followed by the look-up again, not by an error. A token call that says the
/// user does not exist (deleted at Alloy) drops the cached id and resolves once more.
/// </para>
/// <para>
/// Outcomes: 200 with <c>token</c>, <c>userId</c>, <c>customerId</c> and <c>expiresAt</c> when the token has an
/// <c>exp</c>; 409 when Alloy reports a conflicting user that still cannot be found; otherwise the vendor problems.
/// </para>
/// </remarks>
public sealed partial class AlloyUserTokenHandler(
    AlloyClient client, AlloyUserIds userIds, IOptions<AlloyOptions> options, ILogger<AlloyUserTokenHandler> logger)
{
    /// <summary>Gets the route as the pipeline runs it: the body is read within its limits and ignored.</summary>
    public static IssuingRoute<EmptyRequest> Route { get; } = new(Routes.AlloyUserToken, AlloyVendor.Names.RouteKey, IssuingRoute.EmptyBody);

    /// <summary>Issues an Alloy user token for the authenticated <paramref name="caller"/>'s customer.</summary>
    public async Task<IssueResponse> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        var prefix = options.Value.UsernamePrefix ?? throw ApiProblemException.VendorNotConfigured(AlloyClient.Vendor, "the setting Alloy:UsernamePrefix");
        var username = AlloyUsername.For(prefix, caller.CustomerId);

        var userId = await userIds.ResolveAsync(username, ct => ResolveAtAlloyAsync(username, caller, ct), cancellationToken);
        var token = await client.GetUserTokenAsync(userId, cancellationToken);
        if (token is null)
        {
            // The user is gone at Alloy under this id (deleted there): forget the id and resolve once more.
            LogCachedUserGone(logger, caller.CustomerId);
            userIds.Forget(username, userId);
            userId = await userIds.ResolveAsync(username, ct => ResolveAtAlloyAsync(username, caller, ct), cancellationToken);
            token = await client.GetUserTokenAsync(userId, cancellationToken)
                ?? throw new VendorApiException(AlloyClient.Vendor, VendorFailure.Rejected, HttpStatusCode.NotFound);
        }

        return new IssueResponse(Route.Vendor)
        {
            Token = token.Token,
            UserId = userId,
            CustomerId = caller.CustomerId,
            ExpiresAt = token.ExpiresAt,
        };
    }

    /// <summary>The user id of <paramref name="username"/> at Alloy: looked up, or created when Alloy does not know it.</summary>
    private async Task<string> ResolveAtAlloyAsync(string username, Caller caller, CancellationToken cancellationToken)
    {
        if (await client.FindUserIdAsync(username, cancellationToken) is { } existing)
        {
            return existing;
        }

        var outcome = await client.CreateUserAsync(username, caller.Name, cancellationToken);
        if (outcome.Created)
        {
            LogUserCreated(logger, caller.CustomerId);
            if (outcome.UserId is { } created)
            {
                return created;
            }
        }
        else
        {
            LogCreateRefused(logger, caller.CustomerId, (int)outcome.StatusCode);
        }

        return await client.FindUserIdAsync(username, cancellationToken) ?? throw Unresolved(outcome);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Alloy refused to create the user of customer {CustomerId} ({StatusCode}); looking it up again, as another request may have created it")]
    private static partial void LogCreateRefused(ILogger logger, string customerId, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Alloy user of customer {CustomerId} no longer exists under the id known for it; resolving it again")]
    private static partial void LogCachedUserGone(ILogger logger, string customerId);
}
