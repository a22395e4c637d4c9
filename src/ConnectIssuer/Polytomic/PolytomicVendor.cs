using ConnectIssuer.Health;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Polytomic;

/// <summary>Polytomic: its names, and configured when there is at least one allowed type and the API key exists (the base URL has a default).</summary>
internal sealed class PolytomicVendor(SecretStore secrets, IOptions<PolytomicOptions> options) : IVendorStatus
{
    public static VendorNames Names { get; } = new("Polytomic", "polytomic", "polytomic");

    VendorNames IVendorStatus.Names => Names;

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken) =>
        options.Value.EffectiveAllowedTypes.Length > 0 && await secrets.GetAsync(SecretNames.PolytomicApiKey, cancellationToken) is not null;
}
