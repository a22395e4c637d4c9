using ConnectIssuer.Health;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.IntegrationApp;

internal sealed class IntegrationAppStatus(SecretStore secrets, IOptions<IntegrationAppOptions> options) : IVendorStatus
{
    public string Key => "integrationApp";

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var secretName = settings.IsSymmetric ? SecretNames.IntegrationAppWorkspaceSecret : SecretNames.IntegrationAppPrivateKey;
        return !string.IsNullOrWhiteSpace(settings.WorkspaceKey) && await secrets.GetAsync(secretName, cancellationToken) is not null;
    }
}
