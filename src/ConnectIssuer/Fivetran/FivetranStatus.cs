using ConnectIssuer.Health;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Fivetran;

/// <summary>Health: configured when the base URL, the group, at least one allowed service and both secrets are present.</summary>
internal sealed class FivetranStatus(SecretStore secrets, IOptions<FivetranOptions> options) : IVendorStatus
{
    public string Key => "fivetran";

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return settings.BaseUrl is not null
            && !string.IsNullOrWhiteSpace(settings.GroupId)
            && settings.AllowedServices.Length > 0
            && await secrets.GetAsync(SecretNames.FivetranApiKey, cancellationToken) is not null
            && await secrets.GetAsync(SecretNames.FivetranApiSecret, cancellationToken) is not null;
    }
}
