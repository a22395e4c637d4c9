using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Connections;

/// <summary>The connections listing, bound from the <c>Connections</c> section (app settings <c>Connections__*</c>).</summary>
public sealed class ConnectionsOptions
{
    public const string SectionName = "Connections";

    /// <summary>
    /// Gets or sets how long one customer's listing is reused on this instance. The default value is 30 seconds; zero
    /// disables the cache; at most one hour. A successful issuing call or delete for the customer drops the entry.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Connections:CacheTtl must be between {1} and {2}.")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);
}
