using ConnectIssuer.Health;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Alloy;

/// <summary>Alloy is configured with a base URL, a username prefix (validated at start-up) and the API key.</summary>
internal sealed class AlloyStatus(SecretStore secrets, IOptions<AlloyOptions> options) : IVendorStatus
{
    public string Key => "alloy";

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return settings.BaseUrl is not null
            && settings.UsernamePrefix is not null
            && await secrets.GetAsync(SecretNames.AlloyApiKey, cancellationToken) is not null;
    }
}
