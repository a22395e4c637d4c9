using ConnectIssuer.Health;

namespace ConnectIssuer.IntegrationApp;

/// <summary>Integration.app: its names, and configured exactly when the signer can build its signing key.</summary>
internal sealed class IntegrationAppVendor(IntegrationAppSigner signer) : IVendorStatus
{
    public static VendorNames Names { get; } = new("Integration.app", "integrationApp", "integration-app");

    VendorNames IVendorStatus.Names => Names;

    public ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken) => signer.IsConfiguredAsync(cancellationToken);
}
