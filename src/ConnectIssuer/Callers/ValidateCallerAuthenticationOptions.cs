using ConnectIssuer.Hosting;
using Microsoft.Extensions.Hosting;

namespace ConnectIssuer.Callers;

/// <summary>The start-up checks of the <c>Auth</c> settings that need more than DataAnnotations; each message names the setting.</summary>
/// <remarks>
/// Development-only relaxations need the Development environment <b>and</b> a process that does not run on App Service or
/// Functions: on Azure the environment name is just another app setting (<c>AZURE_FUNCTIONS_ENVIRONMENT</c>).
/// </remarks>
internal sealed class ValidateCallerAuthenticationOptions(IHostEnvironment environment, AppServicePlatform platform)
    : IValidateOptions<CallerAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, CallerAuthenticationOptions options)
    {
        List<string> failures = [];
        switch (options.Mode)
        {
            case CallerAuthenticationMode.Development when platform.IsAppService:
                failures.Add(
                    $"Auth:Mode=Development is refused on App Service and Azure Functions ({AppServicePlatform.InstanceIdVariable} or "
                    + $"{AppServicePlatform.SiteNameVariable} is set), whatever the environment name: callers would name themselves by headers.");
                break;
            case CallerAuthenticationMode.Development when !environment.IsDevelopment():
                failures.Add($"Auth:Mode=Development is refused outside the Development environment (current: {environment.EnvironmentName}).");
                break;
            case CallerAuthenticationMode.Oidc:
                ValidateOidc(options, failures);
                break;
        }

        if (options.EffectiveDisconnectRole is { } disconnectRole && disconnectRole.Any(char.IsWhiteSpace))
        {
            failures.Add("Auth:DisconnectRole must be one role (no spaces), or not set.");
        }

        if (options.Mode != CallerAuthenticationMode.Oidc)
        {
            foreach (var (setting, values) in OidcOnlyLists(options))
            {
                if (CallerAuthenticationOptions.Effective(values).Length > 0)
                {
                    failures.Add($"Auth:{setting} applies only to Auth:Mode=Oidc (current: {options.Mode}); remove it or switch the mode.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static (string Setting, string[] Values)[] OidcOnlyLists(CallerAuthenticationOptions options) =>
    [
        (nameof(options.ValidTypes), options.ValidTypes),
        (nameof(options.RequiredScopes), options.RequiredScopes),
        (nameof(options.AllowedClientIds), options.AllowedClientIds),
    ];

    private void ValidateOidc(CallerAuthenticationOptions options, List<string> failures)
    {
        if (options.Authority is { IsAbsoluteUri: false } || options.MetadataAddress is { IsAbsoluteUri: false })
        {
            failures.Add("Auth:Authority and Auth:MetadataAddress must be absolute http(s) URLs.");
            return;
        }

        var metadata = options.GetMetadataAddress();
        if (metadata is null)
        {
            failures.Add("Auth:Authority (or Auth:MetadataAddress) is required when Auth:Mode is Oidc.");
        }
        else if (!metadata.IsAbsoluteUri || (metadata.Scheme != Uri.UriSchemeHttps && metadata.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Auth:Authority must be an absolute http(s) URL.");
        }
        else if (metadata.Scheme == Uri.UriSchemeHttp && options.RequireHttpsMetadata)
        {
            failures.Add("Auth:Authority uses http; set Auth:RequireHttpsMetadata=false (loopback or Development only) or use https.");
        }
        else if (!options.RequireHttpsMetadata && (!environment.IsDevelopment() || platform.IsAppService) && !Http.Loopback.Is(metadata))
        {
            failures.Add("Auth:RequireHttpsMetadata=false is accepted only in the Development environment (never on App Service) or for a loopback authority.");
        }

        for (var i = 0; i < options.RequiredScopes.Length; i++)
        {
            if (options.RequiredScopes[i] is { } scope && scope.Trim().Any(char.IsWhiteSpace))
            {
                failures.Add($"Auth:RequiredScopes:{i} must be one scope (no spaces); list each scope as its own entry.");
            }
        }

        if (options.Audiences.Length == 0 || options.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Auth:Audiences must list at least one non-empty audience when Auth:Mode is Oidc.");
        }
    }
}
