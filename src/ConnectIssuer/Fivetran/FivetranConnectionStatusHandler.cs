using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// <c>GET /api/fivetran/connections/{connectionId}</c>: <c>setupState</c> and <c>syncState</c> of a connection of the caller's
/// customer. A connection belongs to the customer exactly when its schema equals the one computed from the customer id and
/// the connection's service (and it is in <c>Fivetran:GroupId</c>); an unknown id, a malformed id and another customer's
/// connection all answer the same 404 <c>not_found</c>, so existence is not revealed.
/// </summary>
public sealed class FivetranConnectionStatusHandler(FivetranClient client, IOptions<FivetranOptions> options)
{
    /// <summary>The longest connection id looked up; Fivetran's are two short words (e.g. <c>speak_inexpensive</c>).</summary>
    public const int MaxConnectionIdLength = 64;

    /// <summary>Gets the route as the pipeline runs it: no body, rate limited like every authenticated route, but audited
    /// as a read, since nothing is issued here.</summary>
    public static IssuingRoute<EmptyRequest> Route { get; } =
        new(Routes.FivetranConnectionStatus, FivetranVendor.Names.RouteKey, BodyType: null, AuditOutcomes.Read);

    /// <summary>A cheap shape check before any vendor call: ASCII letters, digits, <c>_</c> and <c>-</c>, 1 to 64 characters.</summary>
    public static bool IsPlausibleConnectionId(string? connectionId) =>
        connectionId is { Length: > 0 and <= MaxConnectionIdLength }
        && connectionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>The state of <paramref name="connectionId"/> (the route value), if it is the <paramref name="caller"/>'s customer's.</summary>
    public async Task<FivetranConnectionStatusResponse> StatusAsync(Caller caller, string connectionId, CancellationToken cancellationToken)
    {
        if (!IsPlausibleConnectionId(connectionId))
        {
            throw NotFound();
        }

        var settings = options.Value;
        var groupId = FivetranVendor.RequireGroupId(settings);
        var connection = await client.GetConnectionAsync(connectionId, cancellationToken);
        if (!FivetranConnections.BelongsTo(connection, connectionId, groupId, settings.EffectiveSchemaPrefix, caller.CustomerId))
        {
            throw NotFound();
        }

        return new FivetranConnectionStatusResponse(
            FivetranVendor.Names.RouteKey, connectionId, connection.Service!, connection.Status?.SetupState, connection.Status?.SyncState);
    }

    private static ApiProblemException NotFound() => ApiProblemException.NotFound("No such Fivetran connection for this customer.");
}
