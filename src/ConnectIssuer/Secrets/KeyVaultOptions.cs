using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Secrets;

/// <summary>Where secrets come from, bound from the <c>KeyVault</c> section (app settings <c>KeyVault__*</c>).</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>Gets or sets the vault URI. When null, secrets come from the <c>Secrets</c> configuration section (local runs only).</summary>
    public Uri? Uri { get; set; }

    /// <summary>Gets or sets how long a value is reused before it is read again. The default value is 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the client id of a user-assigned managed identity; null uses <c>DefaultAzureCredential</c>.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
