using System.Text.Json.Serialization;

namespace ConnectIssuer.Http;

/// <summary>The one success shape for every vendor; a property that does not apply is null and omitted.</summary>
public sealed record IssueResponse(string Vendor)
{
    public string? Token { get; init; }

    public Uri? Url { get; init; }

    [JsonConverter(typeof(UtcTimestampConverter))]
    public DateTimeOffset? ExpiresAt { get; init; }

    public string? CustomerId { get; init; }

    public string? UserId { get; init; }

    public string? ConnectionId { get; init; }

    public bool? Created { get; init; }
}

/// <summary>The body of routes that take <c>{}</c> or nothing. Unknown properties are ignored, so a body can't set claims.</summary>
public sealed record EmptyRequest;

/// <summary>Serialization of our own contracts: camelCase, nulls omitted, duplicate keys refused.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(IssueResponse))]
[JsonSerializable(typeof(EmptyRequest))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
