using ConnectIssuer.Callers;
using ConnectIssuer.Health;

namespace ConnectIssuer.Connections;

/// <summary>
/// One vendor's side of <c>GET /api/connections</c> and <c>DELETE /api/connections/{vendor}/{connectionId}</c>, written in
/// the vendor's folder with the same ownership rule as its issuing route. Each vendor registers one.
/// </summary>
public interface IConnectionSource
{
    VendorNames Names { get; }

    /// <summary>Lists the customer's connections at the vendor. Creates nothing at the vendor.</summary>
    /// <exception cref="Vendors.VendorApiException">The vendor failed; the listing reports the vendor <c>unavailable</c>.</exception>
    Task<IReadOnlyList<Connection>> ListAsync(Caller caller, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the connection when it exists and belongs to the caller's customer. Ownership is checked first; no delete
    /// call reaches the vendor for an unknown or foreign id.
    /// </summary>
    /// <returns>False when the connection does not exist or is another customer's (the same answer for both).</returns>
    Task<bool> DeleteAsync(Caller caller, string connectionId, CancellationToken cancellationToken);
}
