using ConnectIssuer.Health;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Fivetran;

/// <summary>Fivetran: its names, and configured when the base URL, the group, at least one allowed service and both secrets are present.</summary>
internal sealed class FivetranVendor(SecretStore secrets, IOptions<FivetranOptions> options) : IVendorStatus
{
    public static VendorNames Names { get; } = new("Fivetran", "fivetran", "fivetran");

    VendorNames IVendorStatus.Names => Names;

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return settings.BaseUrl is not null
            && HasGroupId(settings)
            && settings.AllowedServices.Length > 0
            && await secrets.GetAsync(SecretNames.FivetranApiKey, cancellationToken) is not null
            && await secrets.GetAsync(SecretNames.FivetranApiSecret, cancellationToken) is not null;
    }

    /// <summary>The group the routes create and read connections in; a 503 <c>vendor_not_configured</c> without one.</summary>
    internal static string RequireGroupId(FivetranOptions settings) =>
        HasGroupId(settings) ? settings.GroupId! : throw ApiProblemException.VendorNotConfigured(Names.Name, "the setting Fivetran:GroupId");

    private static bool HasGroupId(FivetranOptions settings) => !string.IsNullOrWhiteSpace(settings.GroupId);
}
