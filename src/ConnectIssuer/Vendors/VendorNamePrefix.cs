using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace ConnectIssuer.Vendors;

/// <summary>
/// The rule for the deployment prefix of names this service creates at a vendor (<c>Alloy:UsernamePrefix</c>,
/// <c>Polytomic:NamePrefix</c>): 1 to 63 of <c>a-z</c>, <c>0-9</c>, <c>-</c> and <c>_</c>, then the
/// <see cref="Separator"/> <c>.</c>, which appears nowhere else in the prefix.
/// </summary>
/// <remarks>
/// The customer-id encodings (<c>AlloyUsername</c>, <c>PolytomicConnectionName</c>) never emit a <c>.</c>, so in any
/// name the prefix is exactly the text up to and including the first <c>.</c>: two deployments with different
/// prefixes can never produce the same name, even when one prefix starts with the other (<c>ci.</c> and
/// <c>ci.x.</c> would not be a problem for the prefix alone, but the second is refused because Polytomic names use
/// <c>.</c> again between customer and label). The <c>.</c> also keeps every name from having the shape of a
/// vendor id (an Alloy user id is 24 hex characters). Lower case only: vendors may compare names without case, so
/// <c>CI.</c> and <c>ci.</c> would be one prefix to them.
/// </remarks>
public static partial class VendorNamePrefix
{
    /// <summary>The character that ends a prefix; no customer-id or label encoding emits it.</summary>
    public const char Separator = '.';

    /// <summary>The longest prefix accepted, separator included.</summary>
    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="prefix"/> follows the rule.</summary>
    public static bool IsValid(string? prefix) => prefix is not null && Pattern().IsMatch(prefix);

    /// <summary>The start-up check of a prefix setting; a message naming the setting when it is present and breaks the rule.</summary>
    public static ValidationResult? Validate(string? prefix, string settingName, string memberName) =>
        prefix is null || IsValid(prefix)
            ? null
            : new ValidationResult(
                $"{settingName} must be 1 to {MaxLength - 1} lower-case letters, digits, '-' or '_' followed by a single '.', "
                + "e.g. 'acme-prod.' (the '.' ends the prefix and may appear nowhere else in it).",
                [memberName]);

    [GeneratedRegex("^[a-z0-9_-]{1,63}\\.\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
