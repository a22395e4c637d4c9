using System.Collections.Concurrent;
using ConnectIssuer.Issuing;

namespace ConnectIssuer.Connections;

/// <summary>What one vendor answered for one customer: <see cref="VendorListingStates.Ok"/> with the connections, or not configured.</summary>
public sealed record VendorListing(string State, IReadOnlyList<Connection> Connections)
{
    public static VendorListing NotConfigured { get; } = new(VendorListingStates.NotConfigured, []);

    public static VendorListing Unavailable { get; } = new(VendorListingStates.Unavailable, []);
}

/// <summary>
/// The per-instance cache of <c>GET /api/connections</c>: per customer and vendor, for <c>Connections:CacheTtl</c> (zero
/// disables it). A successful issuing call (<see cref="ICustomerIssuanceObserver"/>) or delete for the customer drops the
/// customer's entry, and a listing that was already running when that happened is not stored, so it cannot bring back what
/// was dropped. Unavailable answers are never stored: the next listing asks that vendor again.
/// </summary>
/// <remarks>
/// Bounded: past <see cref="Capacity"/> customers, expired entries go first, then everything (a forgotten entry costs
/// one listing).
/// </remarks>
public sealed class ConnectionsCache(IOptions<ConnectionsOptions> options, TimeProvider timeProvider) : ICustomerIssuanceObserver
{
    /// <summary>The most customers one instance keeps listings for.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, CustomerEntry> _entries = new(StringComparer.Ordinal);
    private long _clock;

    private TimeSpan Ttl => options.Value.CacheTtl;

    /// <summary>Gets how many customers have an entry now.</summary>
    public int Count => _entries.Count;

    /// <summary>Starts a listing for <paramref name="customerId"/>: what the cache holds for it, and the ticket to store new answers with.</summary>
    public Ticket Begin(string customerId)
    {
        if (Ttl <= TimeSpan.Zero)
        {
            return new Ticket(null, 0);
        }

        if (_entries.Count >= Capacity && !_entries.ContainsKey(customerId))
        {
            Trim();
        }

        return new Ticket(_entries.GetOrAdd(customerId, _ => new CustomerEntry()), Interlocked.Read(ref _clock));
    }

    /// <summary>Gets the unexpired listing of <paramref name="vendor"/> held by the ticket's customer, if any.</summary>
    public VendorListing? TryGet(Ticket ticket, string vendor)
    {
        if (ticket.Entry is not { } entry)
        {
            return null;
        }

        lock (entry)
        {
            return entry.Listings.TryGetValue(vendor, out var cached) && cached.ExpiresAt > timeProvider.GetUtcNow() ? cached.Listing : null;
        }
    }

    /// <summary>Stores <paramref name="listing"/> unless it is unavailable, or the customer's entry was dropped since <see cref="Begin"/>.</summary>
    public void Store(Ticket ticket, string vendor, VendorListing listing)
    {
        if (ticket.Entry is not { } entry || listing.State == VendorListingStates.Unavailable)
        {
            return;
        }

        lock (entry)
        {
            if (entry.DroppedAt <= ticket.Started)
            {
                entry.Listings[vendor] = (listing, timeProvider.GetUtcNow() + Ttl);
            }
        }
    }

    /// <summary>Drops everything cached for <paramref name="customerId"/>, including what a listing running now would store.</summary>
    public void Invalidate(string customerId)
    {
        if (!_entries.TryGetValue(customerId, out var entry))
        {
            return;
        }

        lock (entry)
        {
            entry.DroppedAt = Interlocked.Increment(ref _clock);
            entry.Listings.Clear();
        }
    }

    void ICustomerIssuanceObserver.OnIssued(string customerId) => Invalidate(customerId);

    private void Trim()
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (customerId, entry) in _entries)
        {
            bool expired;
            lock (entry)
            {
                expired = entry.Listings.Values.All(l => l.ExpiresAt <= now);
            }

            if (expired)
            {
                _entries.TryRemove(customerId, out _);
            }
        }

        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
    }

    /// <summary>A customer's place in the cache at the start of one listing.</summary>
    public readonly record struct Ticket(CustomerEntry? Entry, long Started);

    /// <summary>One customer's cached listings; guarded by locking the entry itself.</summary>
    public sealed class CustomerEntry
    {
        internal Dictionary<string, (VendorListing Listing, DateTimeOffset ExpiresAt)> Listings { get; } = new(StringComparer.Ordinal);

        internal long DroppedAt { get; set; }
    }
}
