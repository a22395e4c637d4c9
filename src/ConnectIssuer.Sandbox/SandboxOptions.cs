using ConnectIssuer.Hosting;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Sandbox;

/// <summary>The sandbox vendors, bound from the <c>Sandbox</c> section (environment <c>Sandbox__Enabled</c>).</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>
    /// Gets or sets whether this server also simulates the Alloy, Fivetran, Polytomic and Membrane (Integration.app) APIs under
    /// <c>/sandbox/&lt;vendor&gt;/</c> and points the vendor clients at them with fake secrets. The default
    /// value is <see langword="false"/>; <c>appsettings.Development.json</c> turns it on. Refused at start-up
    /// outside the Development environment, and on App Service whatever the environment name.
    /// </summary>
    public bool Enabled { get; set; }
}

/// <summary>The sandbox's start-up checks; each message names <c>Sandbox:Enabled</c>.</summary>
internal sealed class ValidateSandboxOptions(IHostEnvironment environment, IConfiguration configuration, AppServicePlatform platform)
    : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (platform.IsAppService)
        {
            return ValidateOptionsResult.Fail(
                $"Sandbox:Enabled=true is refused on App Service ({AppServicePlatform.InstanceIdVariable} or {AppServicePlatform.SiteNameVariable} "
                + "is set), whatever the environment name: the sandbox answers for the vendors with fake secrets.");
        }

        if (!environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail(
                $"Sandbox:Enabled=true is refused outside the Development environment (current: {environment.EnvironmentName}): "
                + "the sandbox answers for the vendors with fake secrets.");
        }

        // The simulations accept the secrets under Secrets:<Name>; with a vault the clients would send
        // other values and every call would end in 401 → 502 vendor_error, which is harder to understand.
        if (!string.IsNullOrWhiteSpace(configuration["KeyVault:Uri"]))
        {
            return ValidateOptionsResult.Fail(
                "Sandbox:Enabled=true can't be combined with KeyVault:Uri: the sandbox vendors accept only the development secrets under Secrets:<Name>.");
        }

        return ValidateOptionsResult.Success;
    }
}
