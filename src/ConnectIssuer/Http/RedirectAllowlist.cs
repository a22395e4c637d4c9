using System.Globalization;

namespace ConnectIssuer.Http;

/// <summary>
/// The one check for every redirect URL a vendor will send the customer's browser to: absolute,
/// https (http only for localhost), no user info, no fragment, no whitespace or backslash tricks, and
/// an origin (scheme, IDN-normalised host, port) exactly in <c>AllowedOrigins</c>.
/// </summary>
public sealed class RedirectAllowlist(IOptions<AllowedOriginsOptions> options)
{
    public const int MaxLength = 2048;

    private readonly IReadOnlySet<string> _origins = options.Value.NormalizedOrigins;

    /// <summary>Returns the redirect URL if it is allowed.</summary>
    /// <exception cref="ApiProblemException">400 <c>redirect_not_allowed</c>, naming <paramref name="field"/>.</exception>
    public Uri Check(string value, string field)
    {
        // Uri parsing forgives (trims whitespace, turns '\' into '/'); a browser may read such input
        // differently, so anything it would have to forgive is refused before parsing.
        if (value.Length is 0 or > MaxLength
            || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\\' || c > '\u007e')
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLocalHost(uri)))
            || uri.UserInfo.Length > 0
            || uri.Fragment.Length > 0
            || !value.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase)
            || !_origins.Contains(Origin(uri)))
        {
            throw ApiProblemException.RedirectNotAllowed(
                $"{field} must be an absolute https URL (http only for localhost) on an origin listed in AllowedOrigins.");
        }

        return uri;
    }

    internal static string Origin(Uri uri) =>
        string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme.ToLowerInvariant()}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}");

    internal static bool IsLocalHost(Uri uri) => Loopback.Is(uri);
}
