using Microsoft.Extensions.Configuration;

namespace ConnectIssuer.Secrets;

// TEMPORARY: configuration-only store so the rest of the foundation compiles; replaced by the
// Key Vault + cache implementation (single-flight, TTL, stale-on-failure) before issue 2 closes.
public sealed class SecretStore(IConfiguration configuration)
{
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var value = configuration[$"Secrets:{name}"];
        return ValueTask.FromResult(string.IsNullOrEmpty(value) ? null : value);
    }

    public void Invalidate(string name) => _ = configuration[name];
}
