using ConnectIssuer.Health;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Polytomic;

/// <summary>Configured when there is at least one allowed type and the API key exists (the base URL has a default).</summary>
internal sealed class PolytomicStatus(SecretStore secrets, IOptions<PolytomicOptions> options) : IVendorStatus
{
    public string Key => "polytomic";

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken) =>
        options.Value.EffectiveAllowedTypes.Length > 0 && await secrets.GetAsync(SecretNames.PolytomicApiKey, cancellationToken) is not null;
}
