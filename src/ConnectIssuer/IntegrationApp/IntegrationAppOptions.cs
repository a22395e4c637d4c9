using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.IntegrationApp;

/// <summary>Integration.app (Membrane) token minting, bound from the <c>IntegrationApp</c> section (app settings <c>IntegrationApp__*</c>).</summary>
public sealed class IntegrationAppOptions : IValidatableObject
{
    public const string SectionName = "IntegrationApp";

    public static IReadOnlyList<string> Algorithms { get; } = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "ES256", "ES384"];

    /// <summary>Gets or sets the workspace key, the <c>iss</c> of minted tokens. Without it the vendor is not configured.</summary>
    public string? WorkspaceKey { get; set; }

    /// <summary>Gets or sets the signing algorithm. The default value is <c>HS512</c> (the vendor's recommendation).</summary>
    public string Algorithm { get; set; } = "HS512";

    /// <summary>Gets or sets the lifetime of minted tokens. The default value is one hour; at most 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the lifetime of admin tokens (<c>isAdmin: true</c>, workspace-wide). The default value is 15 minutes; at most one hour.</summary>
    /// <remarks>Separate from <see cref="TokenLifetime"/>: an admin token reaches every customer's connections, so it lives briefly.</remarks>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00", ErrorMessage = "IntegrationApp:AdminTokenLifetime must be between {1} and {2}.")]
    public TimeSpan AdminTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Gets or sets the Membrane REST API root, called with a customer token to list and delete the customer's connections.
    /// The default value is <c>https://api.integration.app</c> (<c>https://api.getmembrane.com</c> fronts the same engine).
    /// </summary>
    public Uri? ApiBaseUrl { get; set; } = new("https://api.integration.app");

    /// <summary>Gets the API root in effect: the default when the setting is present but empty.</summary>
    internal Uri EffectiveApiBaseUrl => ApiBaseUrl is { OriginalString.Length: > 0 } url ? url : new Uri("https://api.integration.app");

    /// <summary>Gets or sets the map of <c>fields</c> property name → caller claim name copied into the token.</summary>
    public Dictionary<string, string> Fields { get; set; } = [];

    /// <summary>Gets whether the algorithm signs with the shared workspace secret (HS*) rather than a private key.</summary>
    public bool IsSymmetric => Algorithm.StartsWith("HS", StringComparison.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Algorithms.Contains(Algorithm, StringComparer.Ordinal))
        {
            yield return new ValidationResult(
                $"IntegrationApp:Algorithm '{Algorithm}' is not one of {string.Join(", ", Algorithms)}.", [nameof(Algorithm)]);
        }

        foreach (var result in Vendors.VendorBaseUrl.Validate(ApiBaseUrl is { OriginalString.Length: > 0 } ? ApiBaseUrl : null, "IntegrationApp:ApiBaseUrl"))
        {
            yield return result;
        }

        foreach (var (field, claim) in Fields)
        {
            if (string.IsNullOrWhiteSpace(claim))
            {
                yield return new ValidationResult($"IntegrationApp:Fields:{field} must name a caller claim.", [nameof(Fields)]);
            }
        }
    }
}
