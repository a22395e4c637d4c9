using System.ComponentModel.DataAnnotations;

namespace ConnectIssuer.Vendors;

/// <summary>Settings shared by every vendor client, bound from the <c>Vendors</c> section (app settings <c>Vendors__*</c>).</summary>
public sealed class VendorsOptions
{
    public const string SectionName = "Vendors";

    /// <summary>Gets or sets the deadline of one vendor call, retries and body read included. The default value is 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
