using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Http;

/// <summary>The per-customer rate limit, bound from the <c>RateLimit</c> section (app settings <c>RateLimit__*</c>).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    /// <summary>Gets or sets the permits per customer and per instance per minute, across all authenticated routes. The default value is 30.</summary>
    [Range(1, 100_000)]
    public int PermitsPerMinute { get; set; } = 30;
}
