using ConnectIssuer.Vendors;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// Serializes look-up-then-create per schema within this instance, so concurrent first requests of one customer for one
/// service make one create call instead of racing. Across instances the vendor's duplicate-schema answer, followed by a
/// second look-up, still decides; this only keeps the common case quiet. So a waiter gives up waiting after the time a
/// look-up and a create may take (2 × <c>Vendors:Timeout</c>) and goes ahead unserialized, rather than queueing behind a
/// hanging vendor. Entries live only while someone holds or waits.
/// </summary>
public sealed class FivetranCreationLock(IOptions<VendorsOptions> vendors)
{
    private static readonly IDisposable NotHeld = new Releaser(null, "", null);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _entries[key] = entry;
            }

            entry.Users++;
        }

        bool acquired;
        try
        {
            acquired = await entry.Semaphore.WaitAsync(vendors.Value.Timeout * 2, cancellationToken);
        }
        catch
        {
            Leave(key, entry);
            throw;
        }

        if (!acquired)
        {
            Leave(key, entry);
            return NotHeld;
        }

        return new Releaser(this, key, entry);
    }

    /// <summary>Gets the number of keys held or waited for (for tests: it returns to zero).</summary>
    internal int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    private void Leave(string key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Releaser(FivetranCreationLock? owner, string key, Entry? entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (owner is not null && entry is not null && Interlocked.Exchange(ref _released, 1) == 0)
            {
                entry.Semaphore.Release();
                owner.Leave(key, entry);
            }
        }
    }
}
