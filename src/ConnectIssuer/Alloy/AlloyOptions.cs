using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>Alloy Embedded user tokens, bound from the <c>Alloy</c> section (app settings <c>Alloy__*</c>).</summary>
public sealed partial class AlloyOptions : IValidatableObject
{
    public const string SectionName = "Alloy";

    /// <summary>The longest <see cref="UsernamePrefix"/> accepted.</summary>
    public const int MaxUsernamePrefixLength = 64;

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
    /// deployments sharing one Alloy account (e.g. staging and production) never share users. Letters, digits,
    /// <c>.</c>, <c>_</c> and <c>-</c>, at most 64 characters.
    /// </summary>
    /// <remarks>
    /// A missing setting means Alloy is not configured (<c>503 vendor_not_configured</c>, health
    /// <c>not-configured</c>): the operator must choose a prefix deliberately. An explicitly empty value is valid
    /// and means "no prefix" (note that hosts which drop empty app settings, such as the Bicep in <c>infra</c>,
    /// turn an empty value into a missing one).
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

        if (UsernamePrefix is { } prefix && (prefix.Length > MaxUsernamePrefixLength || !UsernamePrefixPattern().IsMatch(prefix)))
        {
            yield return new ValidationResult(
                $"Alloy:UsernamePrefix may hold at most {MaxUsernamePrefixLength} letters, digits, '.', '_' or '-'.", [nameof(UsernamePrefix)]);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePrefixPattern();
}
