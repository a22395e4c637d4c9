using System.ComponentModel.DataAnnotations;
using ConnectIssuer.Http;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Fivetran;

/// <summary>Fivetran Connect Card settings, bound from the <c>Fivetran</c> section (app settings <c>Fivetran__*</c>).</summary>
public sealed class FivetranOptions : IValidatableObject
{
    public const string SectionName = "Fivetran";

    /// <summary>The schema prefix used when <see cref="SchemaPrefix"/> is not set.</summary>
    public const string DefaultSchemaPrefix = "ci_";

    /// <summary>The longest <see cref="SchemaPrefix"/> accepted, so that derived schema names stay short.</summary>
    public const int MaxSchemaPrefixLength = 20;

    /// <summary>Gets or sets the API root (the <c>/v1/...</c> paths are appended). The default value is <c>https://api.fivetran.com</c>.</summary>
    public Uri? BaseUrl { get; set; } = new("https://api.fivetran.com");

    /// <summary>Gets or sets the destination group new connections are created in, and looked up in. Without it the vendor is not configured.</summary>
    public string? GroupId { get; set; }

    /// <summary>Gets or sets the service ids (e.g. <c>salesforce</c>) the SPA may ask for; compared exactly. Without any the vendor is not configured.</summary>
    public string[] AllowedServices { get; set; } = [];

    /// <summary>
    /// Gets or sets the prefix of the schema names derived from customer and service: lowercase letters, digits and
    /// underscores, starting with a letter or underscore, at most 20 characters. The default value is <c>ci_</c>.
    /// </summary>
    public string SchemaPrefix { get; set; } = DefaultSchemaPrefix;

    /// <summary>Gets or sets the redirect URI used when a request gives none. It must pass the redirect allowlist (checked at start-up).</summary>
    public string? DefaultRedirectUri { get; set; }

    /// <summary>Gets or sets whether the Connect Card hides Fivetran's setup guide. The default value is false.</summary>
    public bool HideSetupGuide { get; set; }

    /// <summary>Gets the prefix in effect: an empty setting means the default, like an absent one.</summary>
    public string EffectiveSchemaPrefix => string.IsNullOrEmpty(SchemaPrefix) ? DefaultSchemaPrefix : SchemaPrefix;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in VendorBaseUrl.Validate(BaseUrl, "Fivetran:BaseUrl"))
        {
            yield return result;
        }

        if (!FivetranSchemaName.IsValidPrefix(EffectiveSchemaPrefix))
        {
            yield return new ValidationResult(
                $"Fivetran:SchemaPrefix must be 1 to {MaxSchemaPrefixLength} lowercase letters, digits or underscores, starting with a letter or underscore.",
                [nameof(SchemaPrefix)]);
        }

        for (var i = 0; i < AllowedServices.Length; i++)
        {
            // Service ids become part of schema names, so they must be valid schema characters too.
            if (!FivetranSchemaName.IsValidService(AllowedServices[i]))
            {
                yield return new ValidationResult(
                    $"Fivetran:AllowedServices:{i} must be a Fivetran service id: lowercase letters, digits and underscores, at most {FivetranSchemaName.MaxServiceLength} characters.",
                    [nameof(AllowedServices)]);
            }
        }
    }
}

/// <summary>
/// Checks <see cref="FivetranOptions.DefaultRedirectUri"/> at start-up with the very check a request's <c>redirectUri</c>
/// gets, so a default that the allowlist would refuse stops the service instead of failing every request that relies on it.
/// </summary>
internal sealed class ValidateFivetranOptions(IOptions<AllowedOriginsOptions> origins) : IValidateOptions<FivetranOptions>
{
    public ValidateOptionsResult Validate(string? name, FivetranOptions options)
    {
        if (string.IsNullOrEmpty(options.DefaultRedirectUri))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            new RedirectAllowlist(origins).Check(options.DefaultRedirectUri, "Fivetran:DefaultRedirectUri");
            return ValidateOptionsResult.Success;
        }
        catch (ApiProblemException)
        {
            return ValidateOptionsResult.Fail(
                "Fivetran:DefaultRedirectUri must be an absolute https URL (http only for localhost), without user info or fragment, on an origin listed in AllowedOrigins.");
        }
    }
}
