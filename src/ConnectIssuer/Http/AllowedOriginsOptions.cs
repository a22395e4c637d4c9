using ConnectIssuer.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ConnectIssuer.Http;

/// <summary>
/// The SPA origins (root setting <c>AllowedOrigins</c>, app settings <c>AllowedOrigins__0</c>, …): the CORS
/// list of the standalone server and the allowlist of every redirect URL.
/// </summary>
public sealed class AllowedOriginsOptions
{
    public const string ConfigurationKey = "AllowedOrigins";

    public string[] Origins { get; set; } = [];

    /// <summary>Gets the origins in the form they are compared in: <c>scheme://idn-host:port</c>, lower case.</summary>
    public IReadOnlySet<string> NormalizedOrigins =>
        Origins.Select(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) ? RedirectAllowlist.Origin(uri) : "").Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);

    internal static void Bind(AllowedOriginsOptions options, IConfiguration configuration) =>
        options.Origins = configuration.GetSection(ConfigurationKey).Get<string[]>() ?? [];
}

/// <summary>
/// Origins only, https (http only for localhost), and <c>http</c> loopback origins only in the Development environment: a
/// production allowlist that trusts <c>http://localhost:…</c> lets any page a user's machine serves there (another dev
/// server, a local tool) call the service with the user's token and receive redirects.
/// </summary>
/// <remarks>As for every Development-only relaxation, never on App Service or Functions, whatever the environment name.</remarks>
internal sealed class ValidateAllowedOriginsOptions(IHostEnvironment environment, AppServicePlatform platform) : IValidateOptions<AllowedOriginsOptions>
{
    public ValidateOptionsResult Validate(string? name, AllowedOriginsOptions options)
    {
        List<string> failures = [];
        for (var i = 0; i < options.Origins.Length; i++)
        {
            var value = options.Origins[i];
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
                || uri.UserInfo.Length > 0
                || uri.PathAndQuery != "/"
                || uri.Fragment.Length > 0
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && RedirectAllowlist.IsLocalHost(uri))))
            {
                failures.Add($"AllowedOrigins:{i} ('{value}') must be an origin such as https://app.example.com (http only for localhost), with no path.");
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && (!environment.IsDevelopment() || platform.IsAppService))
            {
                failures.Add(
                    $"AllowedOrigins:{i} ('{value}') is an http loopback origin, accepted only in the Development environment and never on "
                    + $"App Service (current: {environment.EnvironmentName}); use the SPA's https origin.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
