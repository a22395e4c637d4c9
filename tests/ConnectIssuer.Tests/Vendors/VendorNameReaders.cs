using System.Globalization;
using ConnectIssuer.Alloy;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Tests.Vendors;

/// <summary>
/// Reads Alloy usernames back. Production never needs it (it only derives names); the tests use it to prove the
/// username has exactly one reading.
/// </summary>
internal static class AlloyUsernameReader
{
    /// <summary>The encoded customer id alone, without a prefix.</summary>
    public static string Encode(string customerId) => AlloyUsername.Encoding.Encode("", customerId);

    /// <summary>Reads an encoded customer id back (without the prefix); false for anything the encoding cannot produce.</summary>
    public static bool TryDecode(string encoded, out string customerId) =>
        AlloyUsername.Encoding.TryDecode(encoded, out customerId) && customerId.Length > 0;

    /// <summary>
    /// The customer id a username was made from with <paramref name="prefix"/>; false for another prefix's username
    /// (the prefix ends at the first <c>.</c>, which the encoding never emits) or a non-canonical one.
    /// </summary>
    public static bool TryParse(string prefix, string username, out string customerId)
    {
        customerId = "";
        return VendorNamePrefix.IsValid(prefix)
            && username.IndexOf(VendorNamePrefix.Separator, StringComparison.Ordinal) == prefix.Length - 1
            && username.StartsWith(prefix, StringComparison.Ordinal)
            && TryDecode(username[prefix.Length..], out customerId);
    }
}

/// <summary>
/// Splits a Fivetran schema back into its parts. Production never needs it (ownership recomputes the schema); it
/// states, and the tests prove, that the format has exactly one reading.
/// </summary>
internal static class FivetranSchemaReader
{
    /// <summary>The customer id (readable form) or the hash (hashed form), and the service.</summary>
    public static bool TryParse(string schema, string prefix, out string? customerId, out string? customerHash, out string service)
    {
        const int HashLength = VendorNameEncoding.HashLength;
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

            if (!FivetranSchemaName.Encoding.TryDecode(rest.Slice(separator + 1, length), out var id))
            {
                return false;
            }

            customerId = id;
            serviceStart = separator + 1 + length + 1;
        }

        service = rest[serviceStart..].ToString();
        return service.Length > 0;
    }
}
