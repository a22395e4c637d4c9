using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Polytomic;

/// <summary>Polytomic Connect, bound from the <c>Polytomic</c> section (app settings <c>Polytomic__*</c>).</summary>
/// <remarks>
/// The infrastructure leaves out empty settings, but an emptied variable can still arrive, so an empty
/// <see cref="BaseUrl"/>, <see cref="ApiVersion"/> or <see cref="NamePrefix"/> means "the default" and an empty
/// <see cref="DefaultRedirectUrl"/> means "none".
/// </remarks>
public sealed partial class PolytomicOptions : IValidatableObject
{
    public const string SectionName = "Polytomic";

    public const string DefaultApiVersion = "2025-09-18";

    /// <summary>The default <see cref="NamePrefix"/>: the names this service has always given (<c>ci.&lt;customer&gt;</c>).</summary>
    public const string DefaultNamePrefix = "ci.";

    public static Uri DefaultBaseUrl { get; } = new("https://app.polytomic.com");

    /// <summary>Gets or sets the API root. The default value is <c>https://app.polytomic.com</c> (self-hosted deployments use their own host).</summary>
    public Uri? BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>Gets or sets the API version sent as <c>X-Polytomic-Version</c> (<c>YYYY-MM-DD</c>). The default value is <c>2025-09-18</c>.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>
    /// Gets or sets the connection types the SPA may offer (Polytomic type ids such as <c>salesforce</c>).
    /// Empty means the vendor is not configured: an empty allowlist never means "every type".
    /// </summary>
    public string[] AllowedTypes { get; set; } = [];

    /// <summary>Gets or sets the redirect URL used when a request gives none. It must pass the <c>AllowedOrigins</c> check like any other.</summary>
    public string? DefaultRedirectUrl { get; set; }

    /// <summary>
    /// Gets or sets the prefix of every connection name this deployment creates (<see cref="VendorNamePrefix"/>: lower-case
    /// letters, digits, <c>-</c>, <c>_</c>, then a single <c>.</c>). The default value is <c>ci.</c>; give each deployment
    /// that shares a Polytomic organization its own (e.g. <c>acme-prod.</c>), so none can reconnect another's connections.
    /// </summary>
    public string? NamePrefix { get; set; } = DefaultNamePrefix;

    /// <summary>Gets the name prefix in effect: the setting, or the default when it is absent or empty.</summary>
    internal string EffectiveNamePrefix => string.IsNullOrEmpty(NamePrefix) ? DefaultNamePrefix : NamePrefix;

    /// <summary>Gets the base URL in effect: the setting, or the default when it is absent or empty.</summary>
    internal Uri EffectiveBaseUrl => BaseUrl is { OriginalString.Length: > 0 } url ? url : DefaultBaseUrl;

    /// <summary>Gets the API version in effect: the setting, or the default when it is empty.</summary>
    internal string EffectiveApiVersion => string.IsNullOrWhiteSpace(ApiVersion) ? DefaultApiVersion : ApiVersion;

    /// <summary>Gets the allowed types without empty entries (an emptied environment variable is no type).</summary>
    internal string[] EffectiveAllowedTypes => [.. AllowedTypes.Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal)];

    /// <summary>Gets the default redirect URL, or null when the setting is absent or empty.</summary>
    internal string? EffectiveDefaultRedirectUrl => string.IsNullOrEmpty(DefaultRedirectUrl) ? null : DefaultRedirectUrl;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is { OriginalString.Length: > 0 })
        {
            foreach (var result in VendorBaseUrl.Validate(BaseUrl, "Polytomic:BaseUrl"))
            {
                yield return result;
            }
        }

        if (!string.IsNullOrWhiteSpace(ApiVersion) && !ApiVersionPattern().IsMatch(ApiVersion))
        {
            yield return new ValidationResult($"Polytomic:ApiVersion '{ApiVersion}' must be a date such as {DefaultApiVersion}.", [nameof(ApiVersion)]);
        }

        if (!string.IsNullOrEmpty(NamePrefix) && VendorNamePrefix.Validate(NamePrefix, "Polytomic:NamePrefix", nameof(NamePrefix)) is { } prefixError)
        {
            yield return prefixError;
        }

        for (var i = 0; i < AllowedTypes.Length; i++)
        {
            if (!string.IsNullOrEmpty(AllowedTypes[i]) && !TypePattern().IsMatch(AllowedTypes[i]))
            {
                yield return new ValidationResult(
                    $"Polytomic:AllowedTypes:{i} must be a Polytomic connection type id (letters, digits, '_', '-', '.'; at most 100).",
                    [nameof(AllowedTypes)]);
            }
        }

        if (EffectiveDefaultRedirectUrl is { } redirect
            && !(Uri.TryCreate(redirect, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult("Polytomic:DefaultRedirectUrl must be an absolute http or https URL; a request then checks it against AllowedOrigins.", [nameof(DefaultRedirectUrl)]);
        }
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,100}$", RegexOptions.CultureInvariant)]
    internal static partial Regex TypePattern();
}
