using System.Globalization;
using System.Text;

namespace ConnectIssuer.Polytomic;

/// <summary>
/// The Polytomic connection name derived from a customer id and an optional label:
/// <c>ci.&lt;customer&gt;</c> or <c>ci.&lt;customer&gt;.&lt;label&gt;</c>, each part in an injective encoding
/// that never contains the <c>.</c> separator. Polytomic keeps names unique per organization, so one
/// customer gets one connection per label, and a name belongs to a customer exactly when it is a name
/// this class produces for that customer.
/// </summary>
/// <remarks>
/// The encoding keeps <c>a</c>–<c>z</c>, <c>0</c>–<c>9</c> and <c>-</c>; every other UTF-16 code unit becomes
/// <c>_xx</c> (ASCII, two lower-case hex digits) or <c>_uxxxx</c> (anything else), and <c>_</c> itself is
/// escaped. It is therefore injective over all strings (lone surrogates included), and its output is
/// lower-case ASCII: whether Polytomic compares names case-insensitively or trims them is not
/// documented, and neither can make two customers' names meet. Customer ids are not length-limited
/// here (they come from the caller's token); labels are.
/// </remarks>
internal static class PolytomicConnectionName
{
    public const string Marker = "ci";

    public const char Separator = '.';

    public const int MaxLabelLength = 64;

    /// <summary>Returns the connection name for <paramref name="customerId"/> and a label that passed <see cref="ValidateLabel"/>.</summary>
    public static string For(string customerId, string? label)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        var name = new StringBuilder(Marker).Append(Separator);
        Encode(customerId, name);
        if (!string.IsNullOrEmpty(label))
        {
            Encode(label.Normalize(NormalizationForm.FormC), name.Append(Separator));
        }

        return name.ToString();
    }

    /// <summary>
    /// Whether <paramref name="name"/> is exactly the name <see cref="For"/> gives for <paramref name="customerId"/> and
    /// some valid label (or none). A label can never smuggle in a separator or another customer's encoded id.
    /// </summary>
    public static bool BelongsTo(string? name, string customerId)
    {
        if (name is null || string.IsNullOrEmpty(customerId))
        {
            return false;
        }

        var prefix = For(customerId, null);
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(prefix.Length);
        if (rest.IsEmpty)
        {
            return true;
        }

        // The label part must decode to a valid label whose canonical name is this very name.
        return rest[0] == Separator
            && TryDecode(rest[1..], out var label)
            && ValidateLabel(label) is null
            && string.Equals(For(customerId, label), name, StringComparison.Ordinal);
    }

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

    internal static string Encode(string value) => Encode(value, new StringBuilder()).ToString();

    private static StringBuilder Encode(string value, StringBuilder output)
    {
        foreach (var c in value)
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            {
                output.Append(c);
            }
            else if (c < 0x80)
            {
                output.Append('_').Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                output.Append("_u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return output;
    }

    internal static bool TryDecode(ReadOnlySpan<char> encoded, out string value)
    {
        var output = new StringBuilder(encoded.Length);
        var i = 0;
        while (i < encoded.Length)
        {
            var c = encoded[i];
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            {
                output.Append(c);
                i++;
                continue;
            }

            var digits = c == '_' && i + 1 < encoded.Length && encoded[i + 1] == 'u' ? 4 : 2;
            var start = i + (digits == 4 ? 2 : 1);
            if (c != '_' || start + digits > encoded.Length
                || !int.TryParse(encoded.Slice(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                value = "";
                return false;
            }

            output.Append((char)code);
            i = start + digits;
        }

        value = output.ToString();
        return true;
    }
}
