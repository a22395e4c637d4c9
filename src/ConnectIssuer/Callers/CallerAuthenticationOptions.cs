using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Callers;

/// <summary>How callers are authenticated.</summary>
public enum CallerAuthenticationMode
{
    /// <summary>A bearer JWT from the SPA's OpenID Connect provider.</summary>
    Oidc,

    /// <summary>The <c>X-MS-CLIENT-PRINCIPAL</c> header of App Service Authentication.</summary>
    EasyAuth,

    /// <summary><c>X-Customer-*</c> headers; only in the Development environment.</summary>
    Development,
}

/// <summary>Caller authentication, bound from the <c>Auth</c> section (app settings <c>Auth__*</c>).</summary>
public sealed class CallerAuthenticationOptions
{
    public const string SectionName = "Auth";

    /// <summary>Gets or sets the mode. The default value is <see cref="CallerAuthenticationMode.Oidc"/>.</summary>
    public CallerAuthenticationMode Mode { get; set; } = CallerAuthenticationMode.Oidc;

    /// <summary>Gets or sets the issuer URL; metadata is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public Uri? Authority { get; set; }

    /// <summary>Gets or sets an explicit metadata URL, overriding the one derived from <see cref="Authority"/>.</summary>
    public Uri? MetadataAddress { get; set; }

    /// <summary>Gets or sets the accepted <c>aud</c> values (required in <c>Oidc</c> mode).</summary>
    public string[] Audiences { get; set; } = [];

    /// <summary>Gets or sets the accepted <c>iss</c> values. Empty means the metadata's <c>issuer</c>.</summary>
    public string[] Issuers { get; set; } = [];

    /// <summary>Gets or sets whether metadata must be fetched over HTTPS. The default value is true.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Gets or sets the claim naming the customer. The default value is <c>sub</c>.</summary>
    [Required]
    public string CustomerIdClaim { get; set; } = "sub";

    /// <summary>Gets or sets the claim with a display name. The default value is <c>name</c>.</summary>
    [Required]
    public string CustomerNameClaim { get; set; } = "name";

    /// <summary>Gets or sets the claim holding roles (a string or an array). The default value is <c>roles</c>.</summary>
    [Required]
    public string AdminRoleClaim { get; set; } = "roles";

    /// <summary>Gets or sets the role value that makes a caller an admin. The default value is <c>connect-admin</c>.</summary>
    [Required]
    public string AdminRole { get; set; } = "connect-admin";

    /// <summary>
    /// Gets or sets the role (read from <see cref="AdminRoleClaim"/>) a caller needs to delete its customer's connections
    /// (<c>DELETE /api/connections/...</c>). Not set (the default, or blank): any authenticated caller may delete its own
    /// customer's connections. Being an admin is not enough, and the role never reaches another customer's connections.
    /// </summary>
    public string? DisconnectRole { get; set; }

    /// <summary>Gets the disconnect role in effect: null when the setting is missing or blank.</summary>
    internal string? EffectiveDisconnectRole => string.IsNullOrWhiteSpace(DisconnectRole) ? null : DisconnectRole.Trim();

    /// <summary>
    /// Gets or sets the accepted JWT <c>typ</c> header values, e.g. <c>at+jwt</c> (RFC 9068) or <c>JWT</c> (Entra ID access
    /// tokens). Compared as media types: case-insensitively, with <c>application/</c> implied (<c>at+jwt</c> also accepts
    /// <c>application/at+jwt</c>). Empty (the default): any <c>typ</c>, or none. <c>Oidc</c> mode only.
    /// </summary>
    public string[] ValidTypes { get; set; } = [];

    /// <summary>
    /// Gets or sets the scopes every caller token must carry in <c>scp</c> or <c>scope</c> (a space-separated string or an
    /// array), compared exactly. Empty (the default): no scope is required. <c>Oidc</c> mode only.
    /// </summary>
    public string[] RequiredScopes { get; set; } = [];

    /// <summary>
    /// Gets or sets the client applications whose tokens are accepted: the <c>azp</c> claim (OpenID Connect, Entra v2) or,
    /// without it, <c>appid</c> (Entra v1), compared exactly. Empty (the default): any client. <c>Oidc</c> mode only.
    /// </summary>
    public string[] AllowedClientIds { get; set; } = [];

    /// <summary>
    /// Gets or sets the step-up rule for admin tokens: when set, the caller token's <c>auth_time</c> (when the user
    /// last signed in) must be at most this old. Null (the default) asks for no recent sign-in.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Auth:AdminMaxAuthAge must be between {1} and {2}.")]
    public TimeSpan? AdminMaxAuthAge { get; set; }

    /// <summary>Gets or sets the allowed clock skew. The default value is one minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Returns the non-blank entries of a list setting (an app setting left empty is "not set").</summary>
    internal static string[] Effective(string[] values) => [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim())];

    /// <summary>Returns the metadata URL in effect, or null when neither setting is present.</summary>
    /// <remarks>A method, not a property: the configuration binder reads get-only properties while binding.</remarks>
    public Uri? GetMetadataAddress() => MetadataAddress
        ?? (Authority is null ? null : new Uri($"{Authority.AbsoluteUri.TrimEnd('/')}/.well-known/openid-configuration"));
}
