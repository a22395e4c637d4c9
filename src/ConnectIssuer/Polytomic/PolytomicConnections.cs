using ConnectIssuer.Callers;
using ConnectIssuer.Connections;
using ConnectIssuer.Health;

namespace ConnectIssuer.Polytomic;

/// <summary>
/// The customer's Polytomic connections: the organization's listing (one call, <c>GET /api/connections</c>), kept to the
/// names that <see cref="PolytomicConnectionName"/> reads back as this customer's with this deployment's prefix (the rule
/// of the reconnect path). Deleting reads the connection by id first and deletes it only when its name is the customer's.
/// </summary>
internal sealed class PolytomicConnections(PolytomicClient client, IOptions<PolytomicOptions> options) : IConnectionSource
{
    public VendorNames Names => PolytomicVendor.Names;

    public async Task<IReadOnlyList<Connection>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        var prefix = options.Value.EffectiveNamePrefix;
        var all = await client.ListConnectionsAsync(cancellationToken);
        List<Connection> connections = [];
        foreach (var connection in all)
        {
            if (connection.Id is { Length: > 0 } id
                && PolytomicConnectionName.TryParse(prefix, connection.Name, out var owner, out var label)
                && string.Equals(owner, caller.CustomerId, StringComparison.Ordinal))
            {
                connections.Add(Connection.Of(Names.RouteKey, id, connection.Type?.Id, StatusOf(connection)) with
                {
                    Label = label,
                    CreatedAt = connection.CreatedAt,
                });
            }
        }

        return connections;
    }

    public async Task<bool> DeleteAsync(Caller caller, string connectionId, CancellationToken cancellationToken)
    {
        var connection = await client.GetConnectionAsync(connectionId, cancellationToken);
        if (connection is null
            || (connection.Id is not null && !string.Equals(connection.Id, connectionId, StringComparison.Ordinal))
            || !PolytomicConnectionName.BelongsTo(options.Value.EffectiveNamePrefix, connection.Name, caller.CustomerId))
        {
            return false;
        }

        await client.DeleteConnectionAsync(connectionId, cancellationToken);
        return true;
    }

    /// <summary>
    /// The contract's mapping: <c>status</c> <c>healthy</c> without a <c>status_error</c> → connected; any other status, or any
    /// <c>status_error</c> → broken; no status and no error (no health signal) → unknown.
    /// </summary>
    internal static string StatusOf(PolytomicConnection connection) =>
        (connection.Status, string.IsNullOrEmpty(connection.StatusError)) switch
        {
            ("healthy", true) => ConnectionStatuses.Connected,
            (null or "", true) => ConnectionStatuses.Unknown,
            _ => ConnectionStatuses.Broken,
        };
}
