using ConnectIssuer.Callers;
using ConnectIssuer.Connections;
using ConnectIssuer.Health;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// The customer's Fivetran connections: one exact look-up per allowed service (<c>GET /v1/connections?group_id=&amp;schema=</c>,
/// the look-up the Connect Card route makes), asked in parallel, so an uncached listing costs one call per entry of
/// <c>Fivetran:AllowedServices</c> and reads no other customer's connections. Deleting reads the connection first and
/// deletes it only when its schema is the one computed for the caller's customer and its service, in <c>Fivetran:GroupId</c>.
/// </summary>
/// <remarks>Why not one group listing shared by all customers: see docs/vendors/fivetran.md (Listing).</remarks>
internal sealed class FivetranConnections(FivetranClient client, IOptions<FivetranOptions> options) : IConnectionSource
{
    public VendorNames Names => FivetranVendor.Names;

    public async Task<IReadOnlyList<Connection>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var groupId = FivetranVendor.RequireGroupId(settings);
        var services = settings.AllowedServices.Distinct(StringComparer.Ordinal).ToList();
        var found = await Task.WhenAll(services.Select(service =>
            client.FindConnectionAsync(groupId, FivetranSchemaName.For(settings.EffectiveSchemaPrefix, caller.CustomerId, service), cancellationToken)));

        List<Connection> connections = [];
        for (var i = 0; i < services.Count; i++)
        {
            if (found[i] is { Id: { } id } connection)
            {
                connections.Add(Connection.Of(Names.RouteKey, id, services[i], StatusOf(connection)) with { CreatedAt = connection.CreatedAt });
            }
        }

        return connections;
    }

    public async Task<bool> DeleteAsync(Caller caller, string connectionId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var groupId = FivetranVendor.RequireGroupId(settings);
        var connection = await client.GetConnectionAsync(connectionId, cancellationToken);
        if (!BelongsTo(connection, connectionId, groupId, settings.EffectiveSchemaPrefix, caller.CustomerId))
        {
            return false;
        }

        await client.DeleteConnectionAsync(connectionId, cancellationToken);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="connection"/> (read by id) is <paramref name="connectionId"/> of <paramref name="customerId"/>: its
    /// schema equals the one computed from the customer id and the connection's service, and it is in the group.
    /// </summary>
    internal static bool BelongsTo([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] FivetranConnection? connection, string connectionId, string groupId, string schemaPrefix, string customerId) =>
        connection is not null
        && string.Equals(connection.Id, connectionId, StringComparison.Ordinal)
        && FivetranSchemaName.IsValidService(connection.Service)
        && (connection.GroupId is null || string.Equals(connection.GroupId, groupId, StringComparison.Ordinal))
        && string.Equals(connection.Schema, FivetranSchemaName.For(schemaPrefix, customerId, connection.Service!), StringComparison.Ordinal);

    /// <summary>
    /// The contract's mapping: <c>setup_state</c> <c>broken</c> or any task → broken; <c>incomplete</c> → pending;
    /// <c>paused</c> (or <c>sync_state</c> <c>paused</c>) → paused; <c>connected</c> → connected; warnings change nothing;
    /// anything else → unknown.
    /// </summary>
    internal static string StatusOf(FivetranConnection connection)
    {
        var setupState = connection.Status?.SetupState;
        if (setupState == "broken" || connection.Status?.Tasks is { Count: > 0 })
        {
            return ConnectionStatuses.Broken;
        }

        if (setupState == "incomplete")
        {
            return ConnectionStatuses.Pending;
        }

        if (connection.Paused == true || connection.Status?.SyncState == "paused")
        {
            return ConnectionStatuses.Paused;
        }

        return setupState == "connected" ? ConnectionStatuses.Connected : ConnectionStatuses.Unknown;
    }
}
