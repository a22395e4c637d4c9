using System.Text.Json.Serialization;
using ConnectIssuer.Http;

namespace ConnectIssuer.Connections;

/// <summary>The answer of <c>GET /api/connections</c>: the caller's customer's connections at every vendor asked.</summary>
/// <param name="CustomerId">The caller's customer.</param>
/// <param name="Connections">The connections, vendor by vendor.</param>
/// <param name="Vendors">Every vendor asked, by its health key (as in <c>/api/health</c>): <c>ok</c>, <c>not-configured</c> or <c>unavailable</c>.</param>
public sealed record ConnectionsResponse(
    string CustomerId, IReadOnlyList<Connection> Connections, IReadOnlyDictionary<string, string> Vendors);

/// <summary>One connection of the customer at one vendor, in the one vocabulary of the contract.</summary>
/// <param name="Vendor">The route-style vendor name (<c>integration-app</c>, <c>alloy</c>, <c>fivetran</c>, <c>polytomic</c>).</param>
/// <param name="ConnectionId">The vendor's id, as <c>DELETE /api/connections/{vendor}/{connectionId}</c> takes it.</param>
/// <param name="Status"><c>connected</c>, <c>pending</c>, <c>broken</c>, <c>paused</c> or <c>unknown</c>.</param>
public sealed record Connection(string Vendor, string ConnectionId, [property: JsonPropertyOrder(2)] string Status)
{
    /// <summary>Gets the Fivetran service, Polytomic type, Alloy credential type or Membrane integration key (its id without a key).</summary>
    [JsonPropertyOrder(1)]
    public string? Kind { get; init; }

    /// <summary>Gets the label given at Polytomic connect time, or the Membrane connection name.</summary>
    [JsonPropertyOrder(3)]
    public string? Label { get; init; }

    /// <summary>Gets one of a fixed set of the service's own sentences, only for broken, pending and paused; never vendor text.</summary>
    [JsonPropertyOrder(4)]
    public string? Detail { get; init; }

    /// <summary>Gets when the vendor says the connection was created.</summary>
    [JsonPropertyOrder(5)]
    [JsonConverter(typeof(UtcTimestampConverter))]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Returns a connection with <paramref name="status"/> and its fixed detail sentence, if it has one.</summary>
    public static Connection Of(string vendor, string connectionId, string? kind, string status) =>
        new(vendor, connectionId, status) { Kind = kind, Detail = ConnectionStatuses.Detail(status) };
}

/// <summary>The status vocabulary of every connection, whatever the vendor. Precedence: broken &gt; pending &gt; paused &gt; connected.</summary>
public static class ConnectionStatuses
{
    public const string Connected = "connected";

    /// <summary>Setup is not finished.</summary>
    public const string Pending = "pending";

    /// <summary>The customer must reconnect.</summary>
    public const string Broken = "broken";

    public const string Paused = "paused";

    /// <summary>The vendor gives no health signal.</summary>
    public const string Unknown = "unknown";

    /// <summary>
    /// The fixed, vendor-neutral sentence for a status that needs one (broken, pending, paused); null otherwise. Vendor text
    /// (error messages, task descriptions) is never passed on: it is not ours, and it may name things the caller must not see.
    /// </summary>
    public static string? Detail(string status) => status switch
    {
        Broken => "The connection's credentials need attention: reconnect it.",
        Pending => "The connection's setup is not finished.",
        Paused => "The connection is paused.",
        _ => null,
    };
}

/// <summary>The per-vendor state in <see cref="ConnectionsResponse.Vendors"/>.</summary>
public static class VendorListingStates
{
    public const string Ok = "ok";

    public const string NotConfigured = "not-configured";

    /// <summary>The vendor failed or timed out; the answer is still 200, with the other vendors' connections.</summary>
    public const string Unavailable = "unavailable";
}

/// <summary>Serialization of the connections contract: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConnectionsResponse))]
internal sealed partial class ConnectionsJsonContext : JsonSerializerContext;
