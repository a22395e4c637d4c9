using ConnectIssuer.Callers;
using ConnectIssuer.Connections;
using ConnectIssuer.Health;

namespace ConnectIssuer.IntegrationApp;

/// <summary>
/// The customer's Membrane connections, read with a customer token for the caller's customer (the claims of
/// <c>integration-app/token</c>, never an admin token): Membrane itself shows only that customer's connections. One call
/// per page (usually one). Deleting lists first and deletes only an id of that listing, so an unknown or foreign id
/// never reaches Membrane's delete.
/// </summary>
internal sealed class IntegrationAppConnections(MembraneClient client, IOptions<IntegrationAppOptions> options) : IConnectionSource
{
    public VendorNames Names => IntegrationAppVendor.Names;

    public async Task<IReadOnlyList<Connection>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        var connections = await client.ListConnectionsAsync(Claims(caller), cancellationToken);
        return [.. connections.Select(c => Connection.Of(Names.RouteKey, c.Id!, c.Integration?.Key ?? c.IntegrationId, StatusOf(c)) with
        {
            Label = string.IsNullOrEmpty(c.Name) ? null : c.Name,
            CreatedAt = c.CreatedAt,
        })];
    }

    public async Task<bool> DeleteAsync(Caller caller, string connectionId, CancellationToken cancellationToken)
    {
        var claims = Claims(caller);
        var connections = await client.ListConnectionsAsync(claims, cancellationToken);
        if (!connections.Any(c => string.Equals(c.Id, connectionId, StringComparison.Ordinal)))
        {
            return false;
        }

        await client.DeleteConnectionAsync(claims, connectionId, cancellationToken);
        return true;
    }

    /// <summary>
    /// The contract's mapping: <c>disconnected: true</c> → broken; <c>state</c> <c>BUILDING</c> or <c>CLIENT_ACTION_REQUIRED</c>,
    /// or a <c>clientAction</c> → pending; otherwise connected.
    /// </summary>
    internal static string StatusOf(MembraneConnection connection)
    {
        if (connection.Disconnected == true)
        {
            return ConnectionStatuses.Broken;
        }

        return connection.State is "BUILDING" or "CLIENT_ACTION_REQUIRED" || connection.HasClientAction
            ? ConnectionStatuses.Pending
            : ConnectionStatuses.Connected;
    }

    private Dictionary<string, object> Claims(Caller caller) => IntegrationAppTokenHandler.CustomerClaims(caller, options.Value.Fields);
}
