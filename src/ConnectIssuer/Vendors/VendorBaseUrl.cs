using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Vendors;

/// <summary>The start-up check for a vendor's <c>BaseUrl</c> setting: absolute, https (http only for loopback, e.g. the sandbox).</summary>
public static class VendorBaseUrl
{
    public static IEnumerable<ValidationResult> Validate(Uri? baseUrl, string settingName)
    {
        if (baseUrl is null)
        {
            yield break;
        }

        var loopback = Http.Loopback.Is(baseUrl);
        if (!baseUrl.IsAbsoluteUri
            || !(baseUrl.Scheme == Uri.UriSchemeHttps || (baseUrl.Scheme == Uri.UriSchemeHttp && loopback))
            || baseUrl.UserInfo.Length > 0
            || baseUrl.Query.Length > 0
            || baseUrl.Fragment.Length > 0)
        {
            yield return new ValidationResult(
                $"{settingName} must be an absolute https URL without query or user info (http only for loopback).", ["BaseUrl"]);
        }
    }

    /// <summary>Returns the base URL with a trailing slash, so relative request paths append to any version segment in it.</summary>
    public static Uri WithTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
