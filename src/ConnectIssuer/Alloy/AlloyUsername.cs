using System.Text;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>
/// The Alloy username of a customer: <c>Alloy:UsernamePrefix</c> + an encoding of the customer id that is valid for
/// Alloy and injective, so two customer ids never share an Alloy user whatever characters or case they contain.
/// </summary>
/// <remarks>
/// <para>
/// The prefix follows <see cref="VendorNamePrefix"/>: it ends with its only <c>.</c>, a character the encoding
/// never emits. So the prefix of any username is the text up to its first <c>.</c>: the usernames of two deployments
/// never meet, even when one prefix's text starts with the other's, and no username is ever 24 hex characters (the
/// shape of an Alloy user id, which Alloy accepts where a username goes).
/// </para>
/// <para>
/// The encoding uses only <c>a-z</c>, <c>0-9</c>, <c>-</c> and <c>_</c>: nothing that needs escaping in a URL
/// path, nothing an email-like username validator rejects, and no case (Alloy may compare usernames without it).
/// The characters <c>a-z</c>, <c>0-9</c> and <c>-</c> stand for themselves, so lowercase ids stay readable
/// (<c>org-42</c> → <c>org-42</c>). Every other character is written as its UTF-8 bytes, each as <c>_</c> and two
/// lowercase hex digits (<c>A/b_</c> → <c>_41_2fb_5f</c>). Since <c>_</c> only ever starts an escape, the
/// encoding can be read back unambiguously (<see cref="TryDecode"/>), which is what makes it injective.
/// </para>
/// <para>
/// A lone UTF-16 surrogate (which JSON can carry) is written as the three bytes it would have in generalized
/// UTF-8 instead of being replaced by U+FFFD, so even malformed strings keep distinct usernames.
/// </para>
/// <para>
/// There is no length cap: truncating or hashing would give up injectivity, and Alloy documents no limit. Customer
/// ids are at most 256 characters, so a username is at most the prefix plus 2,304 characters (and far shorter for
/// ordinary ids).
/// </para>
/// </remarks>
public static class AlloyUsername
{
    private const char Escape = '_';

    /// <summary>Returns <paramref name="prefix"/> followed by the encoded <paramref name="customerId"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> breaks the <see cref="VendorNamePrefix"/> rule.</exception>
    public static string For(string prefix, string customerId)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!VendorNamePrefix.IsValid(prefix))
        {
            throw new ArgumentException("The prefix breaks the name prefix rule.", nameof(prefix));
        }

        return prefix + Encode(customerId);
    }

    /// <summary>
    /// Reads a username back: the customer id it was made from with <paramref name="prefix"/>; false for another
    /// prefix's username (the prefix ends at the first <c>.</c>, which the encoding never emits) or a non-canonical one.
    /// </summary>
    public static bool TryParse(string prefix, string username, out string customerId)
    {
        ArgumentNullException.ThrowIfNull(username);
        customerId = "";
        return VendorNamePrefix.IsValid(prefix)
            && username.IndexOf(VendorNamePrefix.Separator, StringComparison.Ordinal) == prefix.Length - 1
            && username.StartsWith(prefix, StringComparison.Ordinal)
            && TryDecode(username[prefix.Length..], out customerId);
    }

    /// <summary>Encodes a customer id into <c>[a-z0-9_-]+</c>; different ids always give different results.</summary>
    public static string Encode(string customerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        var builder = new StringBuilder(customerId.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < customerId.Length; i++)
        {
            var c = customerId[i];
            if (IsLiteral(c))
            {
                builder.Append(c);
                continue;
            }

            int codePoint = c;
            if (char.IsHighSurrogate(c) && i + 1 < customerId.Length && char.IsLowSurrogate(customerId[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, customerId[i + 1]);
                i++;
            }

            foreach (var b in utf8[..WriteUtf8(codePoint, utf8)])
            {
                builder.Append(Escape).Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.ToString();
    }

    /// <summary>Reads an encoded customer id back (without the prefix); false for anything <see cref="Encode"/> cannot produce.</summary>
    public static bool TryDecode(string encoded, out string customerId)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        customerId = "";
        var builder = new StringBuilder(encoded.Length);
        var bytes = new List<byte>(4);
        var i = 0;
        while (i < encoded.Length)
        {
            var c = encoded[i];
            if (IsLiteral(c))
            {
                builder.Append(c);
                i++;
                continue;
            }

            if (c != Escape)
            {
                return false;
            }

            // One escaped code point: a lead byte and its continuation bytes.
            bytes.Clear();
            do
            {
                if (i + 2 >= encoded.Length || HexValue(encoded[i + 1]) is not { } high || HexValue(encoded[i + 2]) is not { } low)
                {
                    return false;
                }

                bytes.Add((byte)((high << 4) | low));
                i += 3;
            }
            while (bytes.Count < ExpectedLength(bytes[0]) && i < encoded.Length && encoded[i] == Escape);

            if (ReadUtf8(bytes) is not { } codePoint)
            {
                return false;
            }

            if (codePoint is >= 0xD800 and <= 0xDFFF)
            {
                builder.Append((char)codePoint);
            }
            else
            {
                builder.Append(char.ConvertFromUtf32(codePoint));
            }
        }

        var decoded = builder.ToString();
        if (decoded.Length == 0 || !string.Equals(Encode(decoded), encoded, StringComparison.Ordinal))
        {
            return false; // not canonical (e.g. an escaped literal or an overlong sequence)
        }

        customerId = decoded;
        return true;
    }

    private static bool IsLiteral(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-';

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    private static int? HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => null,
    };

    // Generalized UTF-8: like Encoding.UTF8, but a surrogate code point gets its own three bytes instead of U+FFFD.
    private static int WriteUtf8(int codePoint, Span<byte> destination)
    {
        switch (codePoint)
        {
            case < 0x80:
                destination[0] = (byte)codePoint;
                return 1;
            case < 0x800:
                destination[0] = (byte)(0xC0 | (codePoint >> 6));
                destination[1] = (byte)(0x80 | (codePoint & 0x3F));
                return 2;
            case < 0x10000:
                destination[0] = (byte)(0xE0 | (codePoint >> 12));
                destination[1] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                destination[2] = (byte)(0x80 | (codePoint & 0x3F));
                return 3;
            default:
                destination[0] = (byte)(0xF0 | (codePoint >> 18));
                destination[1] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
                destination[2] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                destination[3] = (byte)(0x80 | (codePoint & 0x3F));
                return 4;
        }
    }

    private static int ExpectedLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xC0 and < 0xE0 => 2,
        >= 0xE0 and < 0xF0 => 3,
        >= 0xF0 and < 0xF8 => 4,
        _ => 0,
    };

    private static int? ReadUtf8(List<byte> bytes)
    {
        var length = ExpectedLength(bytes[0]);
        if (length == 0 || bytes.Count != length)
        {
            return null;
        }

        var codePoint = length == 1 ? bytes[0] : bytes[0] & (0x7F >> length);
        for (var k = 1; k < length; k++)
        {
            if ((bytes[k] & 0xC0) != 0x80)
            {
                return null;
            }

            codePoint = (codePoint << 6) | (bytes[k] & 0x3F);
        }

        return codePoint <= 0x10FFFF ? codePoint : null;
    }
}
