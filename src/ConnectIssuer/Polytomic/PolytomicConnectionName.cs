using System.Globalization;
using System.Text;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Polytomic;

/// <summary>
/// The Polytomic connection name derived from the deployment's <c>Polytomic:NamePrefix</c>, a customer id and an
/// optional label: <c>&lt;prefix&gt;&lt;customer&gt;</c> or <c>&lt;prefix&gt;&lt;customer&gt;.&lt;label&gt;</c>
/// (with the default prefix <c>ci.</c>: <c>ci.org_5f42</c>, <c>ci.org_5f42._43_52_4d</c>), each part in an
/// injective encoding that never contains the <c>.</c> separator. Polytomic keeps names unique per organization, so
/// one customer gets one connection per label, and a name belongs to a customer of this deployment exactly when it
/// parses with this deployment's prefix and this class gives that very name back for that customer.
/// </summary>
/// <remarks>
/// <para>
/// The prefix follows <see cref="VendorNamePrefix"/>: its only <c>.</c> is its last character. A name therefore
/// holds at most two <c>.</c> after the prefix's own, and the prefix is the text up to the first one: two
/// deployments sharing one Polytomic organization never produce or accept each other's names, even when one
/// prefix starts with the other's text.
/// </para>
/// </remarks>
internal static class PolytomicConnectionName
{
    public const char Separator = VendorNamePrefix.Separator;

    public const int MaxLabelLength = 64;

    /// <summary>
    /// <c>a</c>–<c>z</c>, <c>0</c>–<c>9</c> and <c>-</c> kept; every other UTF-16 code unit becomes <c>_xx</c> (ASCII,
    /// <c>_</c> itself included) or <c>_uxxxx</c> (anything else). Lower-case ASCII output: whether Polytomic compares
    /// names case-insensitively or trims them is not documented, and neither can make two customers' names meet.
    /// Customer ids are not length-limited here (they come from the caller's token); labels are.
    /// </summary>
    public static VendorNameEncoding Encoding { get; } = new(VendorNameEncoding.LettersAndDigits + "-", NonAsciiEscape.Utf16CodeUnit);

    /// <summary>Returns the connection name for <paramref name="customerId"/> and a label that passed <see cref="ValidateLabel"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> breaks the <see cref="VendorNamePrefix"/> rule.</exception>
    public static string For(string prefix, string customerId, string? label)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        if (!VendorNamePrefix.IsValid(prefix))
        {
            throw new ArgumentException("The prefix breaks the name prefix rule.", nameof(prefix));
        }

        var labelPart = string.IsNullOrEmpty(label) ? "" : Encoding.Encode(Separator.ToString(), label.Normalize(NormalizationForm.FormC));
        return Encoding.Encode(prefix, customerId, labelPart);
    }

    /// <summary>
    /// Reads a name back: the customer id and label (null for none) it was made from with <paramref name="prefix"/>.
    /// False for anything <see cref="For"/> does not produce with this prefix, e.g. another deployment's name, a
    /// non-canonical encoding or an invalid label.
    /// </summary>
    public static bool TryParse(string prefix, string? name, out string customerId, out string? label)
    {
        (customerId, label) = ("", null);
        if (name is null || !VendorNamePrefix.IsValid(prefix) || !name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(prefix.Length);
        var split = rest.IndexOf(Separator);
        var idPart = split < 0 ? rest : rest[..split];
        if (!Encoding.TryDecode(idPart, out var id) || id.Length == 0)
        {
            return false;
        }

        string? decodedLabel = null;
        if (split >= 0)
        {
            if (!Encoding.TryDecode(rest[(split + 1)..], out var text) || text.Length == 0 || ValidateLabel(text) is not null)
            {
                return false;
            }

            decodedLabel = text;
        }

        // Recompute: only the canonical name of (prefix, id, label) counts, so no second spelling is accepted.
        if (!string.Equals(For(prefix, id, decodedLabel), name, StringComparison.Ordinal))
        {
            return false;
        }

        (customerId, label) = (id, decodedLabel);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="name"/> parses with <paramref name="prefix"/> (<see cref="TryParse"/>) as a name of exactly
    /// <paramref name="customerId"/>. A label can never smuggle in a separator or another customer's encoded id, and
    /// another deployment's prefix never parses.
    /// </summary>
    public static bool BelongsTo(string prefix, string? name, string customerId) =>
        !string.IsNullOrEmpty(customerId)
        && TryParse(prefix, name, out var owner, out _)
        && string.Equals(owner, customerId, StringComparison.Ordinal);

    /// <summary>Returns why a label is not acceptable, or null when it is (null means no label).</summary>
    public static string? ValidateLabel(string? label)
    {
        if (label is null)
        {
            return null;
        }

        if (label.Length is 0 or > MaxLabelLength)
        {
            return $"A label has 1 to {MaxLabelLength} characters.";
        }

        if (char.IsWhiteSpace(label[0]) || char.IsWhiteSpace(label[^1]))
        {
            return "A label must not start or end with white space.";
        }

        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            if (char.IsHighSurrogate(c) && i + 1 < label.Length && char.IsLowSurrogate(label[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c) || char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned)
            {
                return "A label must not contain control, formatting or unassigned characters.";
            }
        }

        return null;
    }
}
