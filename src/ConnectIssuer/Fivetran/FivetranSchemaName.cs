using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// Derives the Fivetran schema (the connection's name in its group) from the customer id and the service, with no
/// database: <c>prefix + customer part + "_" + service</c>, where the customer part is either
/// <list type="bullet">
/// <item><c>{n}_{escaped}</c>: the customer id escaped into <c>[a-z0-9_]</c> (letters a–z and digits kept, <c>_</c> → <c>__</c>,
/// any other ASCII character → <c>_hh</c>, any other UTF-16 code unit → <c>_uhhhh</c>, lowercase hex), preceded by the
/// escaped length <c>n</c> in decimal; or</item>
/// <item><c>h{26 base32}</c>: when the readable schema would exceed <see cref="MaxLength"/>, the first 130 bits of
/// SHA-256 of the escaped form, base32 (a–z, 2–7).</item>
/// </list>
/// The escape is injective on every .NET string (case, any Unicode, lone surrogates), and the length (or the fixed hash
/// width) says exactly where the customer part ends, so a schema splits in one way only into (prefix, customer, service):
/// an id crafted to look like "another id + service" yields a different schema. The readable form starts with a digit,
/// the hashed one with <c>h</c>, so the two never meet. Ownership is decided by recomputing and comparing, never by parsing.
/// </summary>
public static class FivetranSchemaName
{
    /// <summary>
    /// The longest readable schema; longer ones use the hashed customer part. Fivetran documents no limit; 63 is
    /// the tightest identifier limit among Fivetran's common destinations (PostgreSQL), so a schema fits everywhere.
    /// </summary>
    public const int MaxLength = 63;

    /// <summary>The longest service id accepted in <c>Fivetran:AllowedServices</c>.</summary>
    public const int MaxServiceLength = 64;

    /// <summary>Base32 characters of the hashed customer part: 26 × 5 = 130 bits of SHA-256.</summary>
    internal const int HashLength = 26;

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Returns the schema for this customer and service.</summary>
    public static string For(string prefix, string customerId, string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(customerId);
        ArgumentException.ThrowIfNullOrEmpty(service);

        var escaped = Escape(customerId);
        var readable = string.Create(CultureInfo.InvariantCulture, $"{prefix}{escaped.Length}_{escaped}_{service}");
        return readable.Length <= MaxLength ? readable : $"{prefix}h{Hash(escaped)}_{service}";
    }

    /// <summary>Whether a value may be the schema prefix: 1–20 of <c>[a-z0-9_]</c>, starting with a letter or underscore.</summary>
    public static bool IsValidPrefix(string? prefix) =>
        prefix is { Length: > 0 and <= FivetranOptions.MaxSchemaPrefixLength }
        && (char.IsAsciiLetterLower(prefix[0]) || prefix[0] == '_')
        && prefix.All(IsSchemaChar);

    /// <summary>Whether a value may be a service id in a schema: 1–64 of <c>[a-z0-9_]</c>.</summary>
    public static bool IsValidService(string? service) =>
        service is { Length: > 0 and <= MaxServiceLength } && service.All(IsSchemaChar);

    /// <summary>The injective escape of a customer id into <c>[a-z0-9_]</c>; a prefix-free code per UTF-16 code unit.</summary>
    internal static string Escape(string customerId)
    {
        var builder = new StringBuilder(customerId.Length + 8);
        foreach (var c in customerId)
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                builder.Append(c);
            }
            else if (c == '_')
            {
                builder.Append("__");
            }
            else if (c < 0x80)
            {
                builder.Append('_').Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append("_u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Splits a schema made by <see cref="For"/> back into its parts: the customer id (readable form) or the hash (hashed
    /// form), and the service. Production code never needs it (ownership recomputes); it states, and the tests prove, that
    /// the format has exactly one reading.
    /// </summary>
    internal static bool TryParse(string schema, string prefix, out string? customerId, out string? customerHash, out string service)
    {
        customerId = null;
        customerHash = null;
        service = "";
        if (!schema.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = schema.AsSpan(prefix.Length);
        int serviceStart;
        if (rest.Length > 0 && rest[0] == 'h')
        {
            if (rest.Length < HashLength + 3 || rest[HashLength + 1] != '_')
            {
                return false;
            }

            customerHash = rest.Slice(1, HashLength).ToString();
            serviceStart = HashLength + 2;
        }
        else
        {
            var separator = rest.IndexOf('_');
            if (separator <= 0 || !int.TryParse(rest[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || separator + 1 + length + 1 >= rest.Length || rest[separator + 1 + length] != '_')
            {
                return false;
            }

            if (Unescape(rest.Slice(separator + 1, length)) is not { } id)
            {
                return false;
            }

            customerId = id;
            serviceStart = separator + 1 + length + 1;
        }

        service = rest[serviceStart..].ToString();
        return service.Length > 0;
    }

    private static string? Unescape(ReadOnlySpan<char> escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c != '_')
            {
                builder.Append(c);
                continue;
            }

            if (i + 1 < escaped.Length && escaped[i + 1] == '_')
            {
                builder.Append('_');
                i++;
            }
            else if (i + 1 < escaped.Length && escaped[i + 1] == 'u' && i + 6 <= escaped.Length
                && int.TryParse(escaped.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit))
            {
                builder.Append((char)unit);
                i += 5;
            }
            else if (i + 3 <= escaped.Length
                && int.TryParse(escaped.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ascii))
            {
                builder.Append((char)ascii);
                i += 2;
            }
            else
            {
                return null;
            }
        }

        return builder.ToString();
    }

    private static string Hash(string escaped)
    {
        // The escaped form is ASCII and injective, so hashing it hashes the customer id without any UTF-8 replacement.
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

    private static bool IsSchemaChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_';
}
