using ConnectIssuer.Health;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Alloy;

/// <summary>Alloy: its names, and configured with a base URL, a username prefix (validated at start-up) and the API key.</summary>
internal sealed class AlloyVendor(SecretStore secrets, IOptions<AlloyOptions> options) : IVendorStatus
{
    public static VendorNames Names { get; } = new("Alloy", "alloy", "alloy");

    VendorNames IVendorStatus.Names => Names;

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return settings.BaseUrl is not null
            && settings.UsernamePrefix is not null
            && await secrets.GetAsync(SecretNames.AlloyApiKey, cancellationToken) is not null;
    }
}
