using ConnectIssuer.Health;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Fivetran;

/// <summary>Fivetran: its names, and configured when the base URL, the group, at least one allowed service and both secrets are present.</summary>
internal sealed class FivetranVendor(SecretStore secrets, IOptions<FivetranOptions> options) : IVendorStatus
{
    public static VendorNames Names { get; } = new("Fivetran", "fivetran", "fivetran");

    VendorNames IVendorStatus.Names => Names;

    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return settings.BaseUrl is not null
            && HasGroupId(settings)
            && settings.AllowedServices.Length > 0
            && await secrets.GetAsync(SecretNames.FivetranApiKey, cancellationToken) is not null
            && await secrets.GetAsync(SecretNames.FivetranApiSecret, cancellationToken) is not null;
    }

    /// <summary>The group the routes create and read connections in; a 503 <c>vendor_not_configured</c> without one.</summary>
    internal static string RequireGroupId(FivetranOptions settings) =>
        HasGroupId(settings) ? settings.GroupId! : throw ApiProblemException.VendorNotConfigured(Names.Name, "the setting Fivetran:GroupId");

    private static bool HasGroupId(FivetranOptions settings) => !string.IsNullOrWhiteSpace(settings.GroupId);
}

/// <summary>
/// Derives the Fivetran schema (the connection's name in its group) from the customer id and the service, with no
/// database: <c>prefix + customer part + "_" + service</c>, where the customer part is the customer id in
/// <see cref="Encoding"/>: either <c>{n}_{escaped}</c> (the escaped id preceded by its length <c>n</c> in decimal) or,
/// when the readable schema would exceed <see cref="MaxLength"/>, <c>h{26 base32}</c> (130 bits of SHA-256 of the
/// escaped id).
/// </summary>
/// <remarks>
/// The escape is injective on every .NET string (case, any Unicode, lone surrogates), and the length (or the fixed hash
/// width) says exactly where the customer part ends, so a schema splits in one way only into (prefix, customer, service):
/// an id crafted to look like "another id + service" yields a different schema. Ownership is decided by recomputing and
/// comparing (<see cref="For"/>), never by parsing; the same holds for filtering a listing by customer.
/// </remarks>
public static class FivetranSchemaName
{
    /// <summary>
    /// The longest readable schema; longer ones use the hashed customer part. Fivetran documents no limit; 63 is
    /// the tightest identifier limit among Fivetran's common destinations (PostgreSQL), so a schema fits everywhere.
    /// </summary>
    public const int MaxLength = 63;

    /// <summary>The longest service id accepted in <c>Fivetran:AllowedServices</c>.</summary>
    public const int MaxServiceLength = 64;

    /// <summary>
    /// Letters <c>a-z</c> and digits kept, <c>_</c> doubled (<c>__</c>), any other ASCII character <c>_hh</c>, any other
    /// UTF-16 code unit <c>_uhhhh</c>. Unlike Alloy and Polytomic, <c>-</c> is escaped too: the schema is the connection's
    /// schema in the destination database, so it keeps to <c>[a-z0-9_]</c>, the alphabet of <c>Fivetran:SchemaPrefix</c>
    /// and of service ids (docs/vendors/fivetran.md), which a destination takes as an identifier without quoting.
    /// </summary>
    public static VendorNameEncoding Encoding { get; } =
        new(VendorNameEncoding.LettersAndDigits, NonAsciiEscape.Utf16CodeUnit, doubledEscape: true, maxLength: MaxLength);

    /// <summary>Returns the schema for this customer and service.</summary>
    public static string For(string prefix, string customerId, string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(customerId);
        ArgumentException.ThrowIfNullOrEmpty(service);

        return Encoding.Encode(prefix, customerId, VendorNameEncoding.Escape + service);
    }

    /// <summary>Whether a value may be the schema prefix: 1–20 of <c>[a-z0-9_]</c>, starting with a letter or underscore.</summary>
    public static bool IsValidPrefix(string? prefix) =>
        prefix is { Length: > 0 and <= FivetranOptions.MaxSchemaPrefixLength }
        && (char.IsAsciiLetterLower(prefix[0]) || prefix[0] == '_')
        && prefix.All(IsSchemaChar);

    /// <summary>Whether a value may be a service id in a schema: 1–64 of <c>[a-z0-9_]</c>.</summary>
    public static bool IsValidService(string? service) =>
        service is { Length: > 0 and <= MaxServiceLength } && service.All(IsSchemaChar);

    private static bool IsSchemaChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_';
}
