using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using ConnectIssuer.Health;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;
using Microsoft.Extensions.Primitives;

namespace ConnectIssuer.Connections;

/// <summary>
/// <c>GET /api/connections</c>: the caller's customer's connections at every configured vendor (or those named by the
/// repeatable <c>vendor</c> query), in one vocabulary. The vendors are asked in parallel, each within
/// <c>Vendors:Timeout</c>; one that fails or times out is <c>unavailable</c> and the answer is still <c>200</c> with the
/// others. Answers are cached per customer (<see cref="ConnectionsCache"/>).
/// </summary>
public sealed partial class ListConnectionsHandler(
    IEnumerable<IConnectionSource> sources,
    IEnumerable<IVendorStatus> statuses,
    ConnectionsCache cache,
    IOptions<VendorsOptions> vendorsOptions,
    TimeProvider timeProvider,
    ILogger<ListConnectionsHandler> logger)
{
    /// <summary>The audit <c>vendor</c> of a listing, which asks every vendor.</summary>
    public const string AuditVendor = "all";

    /// <summary>Gets the route as the pipeline runs it: a GET, no body read.</summary>
    public static IssuingRoute<EmptyRequest> Route { get; } = new(Routes.Connections, AuditVendor, null, AuditOutcomes.Listed);

    /// <summary>Lists the <paramref name="caller"/>'s customer's connections at the vendors named by the <c>vendor</c> query (all when empty).</summary>
    public async Task<ConnectionsResponse> ListAsync(Caller caller, StringValues vendorFilter, CancellationToken cancellationToken)
    {
        var asked = Select(ConnectionSources.Ordered(sources), vendorFilter);
        var ticket = cache.Begin(caller.CustomerId);
        var listings = await Task.WhenAll(asked.Select(source => ListOneAsync(source, caller, ticket, cancellationToken)));

        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        var connections = new List<Connection>();
        for (var i = 0; i < asked.Count; i++)
        {
            states[asked[i].Names.HealthKey] = listings[i].State;
            connections.AddRange(listings[i].Connections);
        }

        return new ConnectionsResponse(caller.CustomerId, connections, states);
    }

    /// <summary>The sources the <c>vendor</c> query names (each a route-style name, repeatable), or all of them.</summary>
    private static List<IConnectionSource> Select(IReadOnlyList<IConnectionSource> all, StringValues vendorFilter)
    {
        if (vendorFilter.Count == 0)
        {
            return [.. all];
        }

        var unknown = vendorFilter.Where(v => !all.Any(s => string.Equals(s.Names.RouteKey, v, StringComparison.Ordinal))).ToList();
        if (unknown.Count > 0)
        {
            throw ApiProblemException.InvalidRequest(
                "The vendor filter names an unknown vendor.",
                new Dictionary<string, string[]>
                {
                    ["vendor"] = [$"Each vendor must be one of: {string.Join(", ", all.Select(s => s.Names.RouteKey))}."],
                });
        }

        return [.. all.Where(s => vendorFilter.Contains(s.Names.RouteKey, StringComparer.Ordinal))];
    }

    private async Task<VendorListing> ListOneAsync(IConnectionSource source, Caller caller, ConnectionsCache.Ticket ticket, CancellationToken cancellationToken)
    {
        var key = source.Names.RouteKey;
        if (cache.TryGet(ticket, key) is { } cached)
        {
            return cached;
        }

        // One deadline for the vendor's whole listing (a user look-up and a list, or one call per service), so the answer
        // takes at most about Vendors:Timeout whatever the vendor does.
        using var deadline = new CancellationTokenSource(vendorsOptions.Value.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        VendorListing listing;
        try
        {
            var status = statuses.First(s => string.Equals(s.Names.RouteKey, key, StringComparison.Ordinal));
            listing = await status.IsConfiguredAsync(linked.Token)
                ? new VendorListing(VendorListingStates.Ok, await source.ListAsync(caller, linked.Token))
                : VendorListing.NotConfigured;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is VendorApiException { Failure: VendorFailure.NotConfigured }
            or ApiProblemException { Code: ProblemCodes.VendorNotConfigured })
        {
            listing = VendorListing.NotConfigured;
        }
        catch (Exception exception)
        {
            // Never a 5xx for one vendor: it is reported unavailable. Only the kind of failure is logged (no vendor text).
            LogVendorUnavailable(logger, source.Names.Name, Describe(exception));
            return VendorListing.Unavailable;
        }

        cache.Store(ticket, key, listing);
        return listing;
    }

    private static string Describe(Exception exception) => exception switch
    {
        VendorApiException vendor => vendor.StatusCode is { } status ? $"{vendor.Failure} (HTTP {(int)status})" : vendor.Failure.ToString(),
        SecretsUnavailableException => "secrets unavailable",
        OperationCanceledException => "timeout",
        ApiProblemException problem => problem.Code,
        _ => exception.GetType().Name,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing connections: {Vendor} is unavailable ({Failure})")]
    private static partial void LogVendorUnavailable(ILogger logger, string vendor, string failure);
}

/// <summary>
/// <c>DELETE /api/connections/{vendor}/{connectionId}</c>: deletes a connection of the caller's customer at its vendor and
/// answers <c>204</c>. Ownership is checked by the vendor's source before any delete call; an unknown vendor, an
/// implausible id, an unknown id and another customer's id all answer the same <c>404 not_found</c>. With
/// <c>Auth:DisconnectRole</c> set, callers without that role get <c>403 forbidden</c>.
/// </summary>
public sealed class DeleteConnectionHandler(
    IEnumerable<IConnectionSource> sources,
    IEnumerable<IVendorStatus> statuses,
    ConnectionsCache cache,
    IOptions<CallerAuthenticationOptions> auth)
{
    /// <summary>The longest connection id looked up at a vendor.</summary>
    public const int MaxConnectionIdLength = 128;

    /// <summary>The route as the pipeline runs it for <paramref name="vendor"/> (audited as <c>unknown</c> when it names no vendor); no body read.</summary>
    public static IssuingRoute<EmptyRequest> RouteFor(string vendor) =>
        new(Routes.DeleteConnection, ConnectionSources.IsKnown(vendor) ? vendor : "unknown", null, AuditOutcomes.Deleted);

    /// <summary>A cheap shape check before any vendor call: ASCII letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, 1 to 128 characters.</summary>
    public static bool IsPlausibleConnectionId(string? connectionId) =>
        connectionId is { Length: > 0 and <= MaxConnectionIdLength }
        && connectionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
        && connectionId is not ("." or "..");

    /// <summary>Deletes the <paramref name="caller"/>'s customer's connection <paramref name="connectionId"/> at <paramref name="vendor"/>, after the role and ownership checks.</summary>
    public async Task DeleteAsync(Caller caller, string vendor, string connectionId, CancellationToken cancellationToken)
    {
        var source = sources.FirstOrDefault(s => string.Equals(s.Names.RouteKey, vendor, StringComparison.Ordinal));
        var settings = auth.Value;
        if (settings.EffectiveDisconnectRole is { } role && !caller.HasRole(settings.AdminRoleClaim, role))
        {
            throw ApiProblemException.Forbidden("Deleting a connection needs the disconnect role.");
        }

        if (source is null || !IsPlausibleConnectionId(connectionId))
        {
            throw NotFound();
        }

        var status = statuses.First(s => string.Equals(s.Names.RouteKey, source.Names.RouteKey, StringComparison.Ordinal));
        if (!await status.IsConfiguredAsync(cancellationToken))
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, ProblemCodes.VendorNotConfigured, $"{source.Names.Name} is not configured.");
        }

        bool deleted;
        try
        {
            deleted = await source.DeleteAsync(caller, connectionId, cancellationToken);
        }
        finally
        {
            // Even a delete that failed half way may have changed the vendor's side: the next listing asks again.
            cache.Invalidate(caller.CustomerId);
        }

        if (!deleted)
        {
            throw NotFound();
        }
    }

    private static ApiProblemException NotFound() => ApiProblemException.NotFound("No such connection for this customer.");
}

/// <summary>The vendors' sources in the contract's order (Integration.app, Alloy, Fivetran, Polytomic).</summary>
internal static class ConnectionSources
{
    private static readonly string[] Order = ["integration-app", "alloy", "fivetran", "polytomic"];

    /// <summary>Whether <paramref name="vendor"/> is one of the route-style vendor names.</summary>
    public static bool IsKnown(string vendor) => Order.Contains(vendor, StringComparer.Ordinal);

    public static IReadOnlyList<IConnectionSource> Ordered(IEnumerable<IConnectionSource> sources) =>
        [.. sources.OrderBy(s => Array.IndexOf(Order, s.Names.RouteKey) is var i and >= 0 ? i : Order.Length).ThenBy(s => s.Names.RouteKey, StringComparer.Ordinal)];
}
