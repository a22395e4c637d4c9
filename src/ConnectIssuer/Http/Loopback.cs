using System.Net;

namespace ConnectIssuer.Http;

/// <summary>Whether a URL points at this machine: <c>localhost</c>, 127.0.0.0/8 or <c>[::1]</c>.</summary>
internal static class Loopback
{
    public static bool Is(Uri uri) =>
        uri.IsAbsoluteUri
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
