using ConnectIssuer.Connections;
using ConnectIssuer.Issuing;
using Microsoft.Extensions.Time.Testing;

namespace ConnectIssuer.Tests.Connections;

/// <summary>The per-customer cache of <c>GET /api/connections</c> on a fake clock.</summary>
public sealed class ConnectionsCacheTests
{
    private static readonly VendorListing Listing = new(VendorListingStates.Ok, [Connection.Of("fivetran", "c1", "salesforce", ConnectionStatuses.Connected)]);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void StoredListing_IsReusedWithinTheTtlAndGoneAfterIt()
    {
        var cache = Cache(TimeSpan.FromSeconds(30));
        cache.Store(cache.Begin("org_a"), "fivetran", Listing);

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Same(Listing, cache.TryGet(cache.Begin("org_a"), "fivetran"));
        Assert.Null(cache.TryGet(cache.Begin("org_a"), "polytomic"));
        Assert.Null(cache.TryGet(cache.Begin("org_b"), "fivetran"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.TryGet(cache.Begin("org_a"), "fivetran"));
    }

    [Fact]
    public void ZeroTtl_DisablesTheCache()
    {
        var cache = Cache(TimeSpan.Zero);
        cache.Store(cache.Begin("org_a"), "fivetran", Listing);

        Assert.Null(cache.TryGet(cache.Begin("org_a"), "fivetran"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void UnavailableListing_IsNeverStored_NotConfiguredIs()
    {
        var cache = Cache(TimeSpan.FromSeconds(30));
        var ticket = cache.Begin("org_a");
        cache.Store(ticket, "fivetran", VendorListing.Unavailable);
        cache.Store(ticket, "alloy", VendorListing.NotConfigured);

        Assert.Null(cache.TryGet(cache.Begin("org_a"), "fivetran"));
        Assert.Same(VendorListing.NotConfigured, cache.TryGet(cache.Begin("org_a"), "alloy"));
    }

    [Fact]
    public void Issuance_DropsOnlyThatCustomersEntry()
    {
        var cache = Cache(TimeSpan.FromSeconds(30));
        cache.Store(cache.Begin("org_a"), "fivetran", Listing);
        cache.Store(cache.Begin("org_b"), "fivetran", Listing);

        ((ICustomerIssuanceObserver)cache).OnIssued("org_a");

        Assert.Null(cache.TryGet(cache.Begin("org_a"), "fivetran"));
        Assert.Same(Listing, cache.TryGet(cache.Begin("org_b"), "fivetran"));
    }

    [Fact]
    public void ListingRunningWhenTheEntryIsDropped_IsNotStored()
    {
        var cache = Cache(TimeSpan.FromSeconds(30));
        var running = cache.Begin("org_a");

        cache.Invalidate("org_a");
        cache.Store(running, "fivetran", Listing);
        Assert.Null(cache.TryGet(cache.Begin("org_a"), "fivetran"));

        // A listing that starts after the drop is stored again.
        var next = cache.Begin("org_a");
        cache.Store(next, "fivetran", Listing);
        Assert.Same(Listing, cache.TryGet(cache.Begin("org_a"), "fivetran"));
    }

    [Fact]
    public void ManyCustomers_StayBounded_ExpiredEntriesGoFirst()
    {
        var cache = Cache(TimeSpan.FromSeconds(30));
        for (var i = 0; i < ConnectionsCache.Capacity; i++)
        {
            cache.Store(cache.Begin("old_" + i), "fivetran", Listing);
        }

        _clock.Advance(TimeSpan.FromSeconds(31));
        cache.Store(cache.Begin("fresh"), "fivetran", Listing);

        Assert.Equal(1, cache.Count);
        Assert.Same(Listing, cache.TryGet(cache.Begin("fresh"), "fivetran"));

        for (var i = 0; i < 2 * ConnectionsCache.Capacity; i++)
        {
            cache.Store(cache.Begin("live_" + i), "fivetran", Listing);
        }

        Assert.True(cache.Count <= ConnectionsCache.Capacity);
    }

    private ConnectionsCache Cache(TimeSpan ttl) => new(Microsoft.Extensions.Options.Options.Create(new ConnectionsOptions { CacheTtl = ttl }), _clock);
}
