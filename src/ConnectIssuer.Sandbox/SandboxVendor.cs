namespace ConnectIssuer.Sandbox;

/// <summary>
/// One simulated vendor of the sandbox: where it is served (<c>/sandbox/{Name}/</c>), the setting that points
/// the real client at it, how to build the simulation from the effective configuration, and the settings the
/// vendor needs to count as configured (development-only values, used only where nothing is configured).
/// </summary>
/// <param name="Name">The path segment under <c>/sandbox/</c>, e.g. <c>alloy</c>.</param>
/// <param name="BaseUrlSetting">The vendor's base URL setting, e.g. <c>Alloy:BaseUrl</c>; the sandbox always sets it.</param>
/// <param name="Create">Builds the simulation; it reads the secrets and ids it must accept from the configuration.</param>
/// <param name="Defaults">
/// Settings applied only when not configured (an array item such as <c>Fivetran:AllowedServices:0</c> only when the
/// array is not configured at all). Secrets among them are fake and say so.
/// </param>
public sealed record SandboxVendor(
    string Name, string BaseUrlSetting, Func<IConfiguration, IVendorSimulation> Create, IReadOnlyDictionary<string, string> Defaults)
{
    /// <summary>Gets the path the simulation is served under, e.g. <c>/sandbox/alloy</c>.</summary>
    public string PathBase => "/sandbox/" + Name;
}
