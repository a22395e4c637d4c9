using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>Alloy Embedded user tokens, bound from the <c>Alloy</c> section (app settings <c>Alloy__*</c>).</summary>
public sealed partial class AlloyOptions : IValidatableObject
{
    public const string SectionName = "Alloy";

    /// <summary>
    /// Gets or sets the API root. The default value is <c>https://production.runalloy.com</c> (the header-versioned
    /// scheme). A path-versioned root such as <c>https://embedded.runalloy.com/2024-03</c> works too; pair it with an
    /// empty <see cref="ApiVersion"/>.
    /// </summary>
    public Uri? BaseUrl { get; set; } = new("https://production.runalloy.com");

    /// <summary>
    /// Gets or sets the value of the <c>x-api-version</c> header. The default value is <c>2025-09</c>; an empty value
    /// sends no header (the path-versioned scheme documents none).
    /// </summary>
    public string ApiVersion { get; set; } = "2025-09";

    /// <summary>
    /// Gets or sets the prefix of every Alloy username this deployment derives from a customer id, so that
    /// deployments sharing one Alloy account (e.g. staging and production) never share users. The
    /// <see cref="VendorNamePrefix"/> rule: 1 to 63 lower-case letters, digits, <c>-</c> or <c>_</c>, then a single
    /// <c>.</c> (e.g. <c>acme-prod.</c>).
    /// </summary>
    /// <remarks>
    /// A missing setting means Alloy is not configured (<c>503 vendor_not_configured</c>, health
    /// <c>not-configured</c>): the operator must choose a prefix deliberately. Any other value that breaks the rule,
    /// the empty value included, stops start-up: the <c>.</c>, which the username encoding never emits, ends the
    /// prefix, so two prefixes never produce the same username (even when one starts with the other), and no username
    /// can have the shape of an Alloy user id (24 hex characters), which Alloy accepts in the same path position.
    /// </remarks>
    public string? UsernamePrefix { get; set; }

    /// <summary>Gets whether requests carry <c>x-api-version</c> (the 2025-09 scheme) rather than a version in the path.</summary>
    internal bool SendsVersionHeader => !string.IsNullOrWhiteSpace(ApiVersion);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in VendorBaseUrl.Validate(BaseUrl, "Alloy:BaseUrl"))
        {
            yield return result;
        }

        if (SendsVersionHeader && !ApiVersionPattern().IsMatch(ApiVersion))
        {
            yield return new ValidationResult(
                "Alloy:ApiVersion must be a version such as 2025-09 (letters, digits, '.', '_' or '-'), or empty for none.", [nameof(ApiVersion)]);
        }

        if (VendorNamePrefix.Validate(UsernamePrefix, "Alloy:UsernamePrefix", nameof(UsernamePrefix)) is { } prefixError)
        {
            yield return prefixError;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionPattern();
}
