using ConnectIssuer.Callers;
using ConnectIssuer.Connections;
using ConnectIssuer.Health;
using ConnectIssuer.Http;

namespace ConnectIssuer.Alloy;

/// <summary>
/// The customer's Alloy connections: the credentials of the customer's Alloy user (the username of
/// <see cref="AlloyUsername"/>), each one connected (Alloy has no validity field). A customer without an Alloy user has
/// no connections, and a listing never creates the user. Costs one call (the credential list) when the user id is
/// known on this instance, two otherwise (the user look-up first). Deleting checks that the credential is in that
/// user's own list first.
/// </summary>
internal sealed class AlloyConnections(AlloyClient client, AlloyUserIds userIds, IOptions<AlloyOptions> options) : IConnectionSource
{
    public VendorNames Names => AlloyVendor.Names;

    public async Task<IReadOnlyList<Connection>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        var credentials = await CredentialsAsync(caller, cancellationToken);
        return credentials is null
            ? []
            : [.. credentials.Credentials
                .Where(c => !string.IsNullOrEmpty(c.CredentialId))
                .Select(c => Connection.Of(Names.RouteKey, c.CredentialId!, c.Type, ConnectionStatuses.Connected) with { CreatedAt = c.CreatedAt })];
    }

    public async Task<bool> DeleteAsync(Caller caller, string connectionId, CancellationToken cancellationToken)
    {
        var credentials = await CredentialsAsync(caller, cancellationToken);
        if (credentials is null || !credentials.Credentials.Any(c => string.Equals(c.CredentialId, connectionId, StringComparison.Ordinal)))
        {
            return false;
        }

        await client.DeleteCredentialAsync(credentials.UserId, connectionId, cancellationToken);
        return true;
    }

    /// <summary>The customer's user and its credentials, or null when the customer has no Alloy user.</summary>
    private async Task<UserCredentials?> CredentialsAsync(Caller caller, CancellationToken cancellationToken)
    {
        var prefix = options.Value.UsernamePrefix ?? throw ApiProblemException.VendorNotConfigured(AlloyClient.Vendor, "the setting Alloy:UsernamePrefix");
        var username = AlloyUsername.For(prefix, caller.CustomerId);
        if (!userIds.TryGet(username, out var userId))
        {
            // Not shared with the token route's resolution (that one creates the user; a listing never does), but a found
            // id is remembered for both.
            if (await client.FindUserIdAsync(username, cancellationToken) is not { } found)
            {
                return null;
            }

            userId = await userIds.ResolveAsync(username, _ => Task.FromResult(found), cancellationToken);
        }

        var credentials = await client.ListCredentialsAsync(userId, cancellationToken);
        if (credentials is null)
        {
            // The user was deleted at Alloy: forget its id; it has no connections.
            userIds.Forget(username, userId);
            return null;
        }

        return new UserCredentials(userId, credentials);
    }

    private sealed record UserCredentials(string UserId, IReadOnlyList<AlloyCredential> Credentials);
}
