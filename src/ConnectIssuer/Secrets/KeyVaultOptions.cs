using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Secrets;

/// <summary>Where secrets come from, bound from the <c>KeyVault</c> section (app settings <c>KeyVault__*</c>).</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>Gets or sets the vault URI. When null, secrets come from the <c>Secrets</c> configuration section (local runs only).</summary>
    public Uri? Uri { get; set; }

    /// <summary>Gets or sets how long a value is reused before it is read again. The default value is 5 minutes; at least 10 seconds.</summary>
    /// <remarks>The floor keeps one instance from reading every secret on nearly every request (Key Vault throttles per vault).</remarks>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "KeyVault:CacheTtl must be between {1} and {2}.")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long past its <see cref="CacheTtl"/> a cached value is still served while the vault fails.
    /// The default value is one hour; zero serves nothing stale.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "KeyVault:MaxStale must be between {1} and {2}.")]
    public TimeSpan MaxStale { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the client id of a user-assigned managed identity; null uses <c>DefaultAzureCredential</c>.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
