using Microsoft.Extensions.Hosting;

namespace ConnectIssuer.Callers;

/// <summary>The start-up checks of <c>contract.md</c> that need more than DataAnnotations; each message names the setting.</summary>
internal sealed class ValidateCallerAuthenticationOptions(IHostEnvironment environment) : IValidateOptions<CallerAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, CallerAuthenticationOptions options)
    {
        List<string> failures = [];
        switch (options.Mode)
        {
            case CallerAuthenticationMode.Development when !environment.IsDevelopment():
                failures.Add($"Auth:Mode=Development is refused outside the Development environment (current: {environment.EnvironmentName}).");
                break;
            case CallerAuthenticationMode.Oidc:
                ValidateOidc(options, failures);
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

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
        else if (!options.RequireHttpsMetadata && !environment.IsDevelopment() && !Http.Loopback.Is(metadata))
        {
            failures.Add("Auth:RequireHttpsMetadata=false is accepted only in the Development environment or for a loopback authority.");
        }

        if (options.Audiences.Length == 0 || options.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Auth:Audiences must list at least one non-empty audience when Auth:Mode is Oidc.");
        }
    }
}
