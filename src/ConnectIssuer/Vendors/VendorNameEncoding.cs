using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConnectIssuer.Vendors;

/// <summary>
/// The one encoding of a value (a customer id, a label) into a name this service creates at a vendor: the Alloy
/// username, the Fivetran schema, the Polytomic connection name. Each vendor defines its parameters next to its name
/// (<c>AlloyUsername.Encoding</c>, <c>FivetranSchemaName.Encoding</c>, <c>PolytomicConnectionName.Encoding</c>).
/// </summary>
/// <remarks>
/// <para>
/// <b>Alphabet and escape.</b> The characters in <see cref="Literals"/> stand for themselves; every other character is
/// escaped with <see cref="Escape"/> (<c>_</c>), which is never a literal: ASCII as <c>_</c> + two lower-case hex
/// digits, anything else in the <see cref="NonAscii"/> form, and <c>_</c> itself either as its ASCII escape
/// <c>_5f</c> or doubled (<see cref="DoubledEscape"/>). Every escape can be read back in one way only, so the encoding
/// is injective over all .NET strings, lone surrogates included (<see cref="TryDecode"/> is its inverse).
/// </para>
/// <para>
/// <b>Case.</b> Never folded: upper-case letters are escaped like any other character, and the output is lower-case
/// ASCII only, because a vendor may compare names without case (Alloy and Polytomic do not document it; Fivetran
/// destinations often fold identifiers). So two ids that differ only in case keep two names, even to such a vendor.
/// </para>
/// <para>
/// <b>Length limit and hashed form.</b> With <see cref="MaxLength"/> the encoded value is framed by its length
/// (<c>{n}_{escaped}</c>, which says where it ends), and a name that would be longer than the limit uses
/// <c>h</c> + 26 base32 characters (130 bits) of SHA-256 of the escaped value instead. The readable form starts with a
/// digit and the hashed one with <c>h</c>, so the two never meet. Without a limit a name is never shortened:
/// truncating or hashing gives up being able to read it back.
/// </para>
/// <para>
/// No encoding ever emits <c>.</c>: it ends the deployment prefix (<see cref="VendorNamePrefix"/>) and separates a
/// Polytomic label. The parameters are persistent state at the vendors; the golden tests pin the names byte for byte.
/// </para>
/// </remarks>
public sealed record VendorNameEncoding
{
    /// <summary>The character that starts every escape; never a literal.</summary>
    public const char Escape = '_';

    /// <summary>Base32 characters of the hashed form: 26 × 5 = 130 bits of SHA-256.</summary>
    public const int HashLength = 26;

    /// <summary>The lower-case ASCII letters and digits, the literals every vendor's names keep.</summary>
    public const string LettersAndDigits = "abcdefghijklmnopqrstuvwxyz0123456789";

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Creates an encoding; the literals must be lower-case ASCII letters, digits or <c>-</c>.</summary>
    /// <exception cref="ArgumentException">A literal outside that set (upper case, <c>_</c>, <c>.</c>, non-ASCII).</exception>
    public VendorNameEncoding(string literals, NonAsciiEscape nonAscii, bool doubledEscape = false, int? maxLength = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(literals);
        if (!literals.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException("Literals are lower-case ASCII letters, digits or '-'.", nameof(literals));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength ?? 1, 1, nameof(maxLength));
        Literals = literals;
        NonAscii = nonAscii;
        DoubledEscape = doubledEscape;
        MaxLength = maxLength;
    }

    /// <summary>The characters that stand for themselves.</summary>
    public string Literals { get; }

    /// <summary>How a character outside ASCII is escaped.</summary>
    public NonAsciiEscape NonAscii { get; }

    /// <summary>Whether <c>_</c> is written <c>__</c> (else as its ASCII escape <c>_5f</c>).</summary>
    public bool DoubledEscape { get; }

    /// <summary>The longest readable name (prefix and suffix included); null for no limit (and no length framing).</summary>
    public int? MaxLength { get; }

    /// <summary>
    /// Returns <paramref name="prefix"/> + the encoded <paramref name="value"/> + <paramref name="suffix"/>; with a
    /// <see cref="MaxLength"/> the value is length-framed, and hashed when the readable name would be too long.
    /// </summary>
    public string Encode(string prefix, string value, string suffix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(suffix);

        var escaped = EscapeValue(value);
        if (MaxLength is not { } maxLength)
        {
            return string.Concat(prefix, escaped, suffix);
        }

        var readable = string.Create(CultureInfo.InvariantCulture, $"{prefix}{escaped.Length}{Escape}{escaped}{suffix}");
        return readable.Length <= maxLength ? readable : $"{prefix}h{Hash(escaped)}{suffix}";
    }

    /// <summary>
    /// Reads an escaped value back (no prefix, frame or suffix); false for anything the escape does not produce,
    /// e.g. a character outside the alphabet or a non-canonical escape.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<char> encoded, out string value)
    {
        value = "";
        var output = new StringBuilder(encoded.Length);
        var utf8 = new List<byte>(4);
        var i = 0;
        while (i < encoded.Length)
        {
            var c = encoded[i];
            if (Literals.Contains(c, StringComparison.Ordinal))
            {
                output.Append(c);
                i++;
            }
            else if (c != Escape || i + 1 >= encoded.Length)
            {
                return false;
            }
            else if (DoubledEscape && encoded[i + 1] == Escape)
            {
                output.Append(Escape);
                i += 2;
            }
            else if (NonAscii == NonAsciiEscape.Utf16CodeUnit && encoded[i + 1] == 'u')
            {
                if (!TryHex(encoded, i + 2, 4, out var unit))
                {
                    return false;
                }

                output.Append((char)unit);
                i += 6;
            }
            else if (NonAscii == NonAsciiEscape.Utf8Bytes)
            {
                // A run of escaped bytes: one or more code points in (generalized) UTF-8.
                utf8.Clear();
                while (i < encoded.Length && encoded[i] == Escape && !(DoubledEscape && i + 1 < encoded.Length && encoded[i + 1] == Escape))
                {
                    if (!TryHex(encoded, i + 1, 2, out var b))
                    {
                        return false;
                    }

                    utf8.Add((byte)b);
                    i += 3;
                }

                if (!TryReadUtf8(utf8, output))
                {
                    return false;
                }
            }
            else
            {
                if (!TryHex(encoded, i + 1, 2, out var ascii))
                {
                    return false;
                }

                output.Append((char)ascii);
                i += 3;
            }
        }

        // Only the canonical spelling counts (no escaped literal, no overlong sequence, no upper-case hex).
        var decoded = output.ToString();
        if (!string.Equals(EscapeValue(decoded), encoded.ToString(), StringComparison.Ordinal))
        {
            return false;
        }

        value = decoded;
        return true;
    }

    private string EscapeValue(string value)
    {
        var output = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (Literals.Contains(c, StringComparison.Ordinal))
            {
                output.Append(c);
            }
            else if (c == Escape && DoubledEscape)
            {
                output.Append(Escape).Append(Escape);
            }
            else if (c < 0x80)
            {
                AppendHex(output.Append(Escape), c, 2);
            }
            else if (NonAscii == NonAsciiEscape.Utf16CodeUnit)
            {
                AppendHex(output.Append(Escape).Append('u'), c, 4);
            }
            else
            {
                int codePoint = c;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    codePoint = char.ConvertToUtf32(c, value[++i]);
                }

                AppendUtf8(output, codePoint);
            }
        }

        return output.ToString();
    }

    // Generalized UTF-8: like Encoding.UTF8, but a lone surrogate gets its own three bytes instead of U+FFFD, so
    // malformed strings keep distinct names. Each byte is written as an escape.
    private static void AppendUtf8(StringBuilder output, int codePoint)
    {
        var length = codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        Span<byte> bytes = stackalloc byte[length];
        for (var k = length - 1; k > 0; k--)
        {
            bytes[k] = (byte)(0x80 | (codePoint & 0x3F));
            codePoint >>= 6;
        }

        bytes[0] = (byte)(((0xFF00 >> length) & 0xFF) | codePoint);
        foreach (var b in bytes)
        {
            AppendHex(output.Append(Escape), b, 2);
        }
    }

    private static bool TryReadUtf8(List<byte> bytes, StringBuilder output)
    {
        var i = 0;
        while (i < bytes.Count)
        {
            var lead = bytes[i];
            var length = lead switch
            {
                < 0x80 => 1,
                >= 0xC0 and < 0xE0 => 2,
                >= 0xE0 and < 0xF0 => 3,
                >= 0xF0 and < 0xF8 => 4,
                _ => 0,
            };
            if (length == 0 || i + length > bytes.Count)
            {
                return false;
            }

            var codePoint = length == 1 ? lead : lead & (0x7F >> length);
            for (var k = 1; k < length; k++)
            {
                if ((bytes[i + k] & 0xC0) != 0x80)
                {
                    return false;
                }

                codePoint = (codePoint << 6) | (bytes[i + k] & 0x3F);
            }

            if (codePoint > 0x10FFFF)
            {
                return false;
            }

            output.Append(codePoint < 0x10000 ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint));
            i += length;
        }

        return true;
    }

    private static void AppendHex(StringBuilder output, int value, int digits) =>
        output.Append(value.ToString(digits == 2 ? "x2" : "x4", CultureInfo.InvariantCulture));

    private static bool TryHex(ReadOnlySpan<char> text, int start, int digits, out int value)
    {
        value = 0;
        return start + digits <= text.Length
            && int.TryParse(text.Slice(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static string Hash(string escaped)
    {
        // The escaped form is ASCII and injective, so hashing it hashes the value without any UTF-8 replacement.
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(escaped), digest);
        Span<char> chars = stackalloc char[HashLength];
        for (var i = 0; i < HashLength; i++)
        {
            var bit = i * 5;
            var pair = (digest[bit / 8] << 8) | digest[(bit / 8) + 1];
            chars[i] = Base32Alphabet[(pair >> (11 - (bit % 8))) & 0x1f];
        }

        return new string(chars);
    }
}

/// <summary>How <see cref="VendorNameEncoding"/> escapes a character outside ASCII.</summary>
public enum NonAsciiEscape
{
    /// <summary>Each UTF-16 code unit as <c>_u</c> + four lower-case hex digits.</summary>
    Utf16CodeUnit,

    /// <summary>Each byte of the code point's (generalized) UTF-8 as <c>_</c> + two lower-case hex digits.</summary>
    Utf8Bytes,
}
