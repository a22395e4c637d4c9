using System.Diagnostics.CodeAnalysis;
using ConnectIssuer.Http;

namespace ConnectIssuer.Vendors;

/// <summary>
/// The check for a link a vendor hands back for the browser to open (a Fivetran Connect Card, a Polytomic Connect
/// session): absolute, https (http only on loopback, for the sandbox and the tests), no user info. The SPA sends its
/// user there, so a vendor answer with anything else is treated as unreadable rather than passed on.
/// </summary>
public static class VendorLink
{
    /// <summary>Parses <paramref name="value"/> as a link the browser may be sent to.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? link)
    {
        link = null;
        if (string.IsNullOrEmpty(value)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && Loopback.Is(uri)))
            || uri.UserInfo.Length > 0)
        {
            return false;
        }

        link = uri;
        return true;
    }
}
