using System.Text.Json.Serialization;

namespace ConnectIssuer.Polytomic;

/// <summary>The body of <c>POST /api/polytomic/connect</c>. Unknown properties are ignored.</summary>
/// <param name="Types">Connection types to offer; each must be in <c>Polytomic:AllowedTypes</c>. Empty or missing: all allowed types.</param>
/// <param name="Label">Distinguishes several connections of one customer (part of the connection name).</param>
/// <param name="RedirectUrl">Where Polytomic sends the browser afterwards; <c>Polytomic:DefaultRedirectUrl</c> when missing.</param>
/// <param name="ConnectionId">An existing connection of the caller's customer to reconnect.</param>
/// <param name="Dark">Dark theme for the Connect modal.</param>
public sealed record PolytomicConnectRequest(string?[]? Types, string? Label, string? RedirectUrl, string? ConnectionId, bool? Dark);

/// <summary><c>POST /api/connections/connect/</c> body. The deprecated <c>type</c> is deliberately absent.</summary>
public sealed record PolytomicConnectBody(string Name, string RedirectUrl, IReadOnlyList<string> Whitelist, string? Connection, bool? Dark);

/// <summary>The <c>data</c> of Polytomic's Connect answer, as sent: both fields are optional in the SDK types.</summary>
public sealed record PolytomicConnectSessionData(string? RedirectUrl, string? Token);

public sealed record PolytomicConnectEnvelope(PolytomicConnectSessionData? Data);

/// <summary>The session Polytomic started: the checked link to open and the single-use session token, when sent.</summary>
public sealed record PolytomicConnectSession(Uri Url, string? Token);

/// <summary>The fields of <c>ConnectionResponseSchema</c> this service reads.</summary>
public sealed record PolytomicConnection(string? Id, string? Name)
{
    /// <summary>Gets <c>type</c>: the connection type (<c>type.id</c>, e.g. <c>salesforce</c>).</summary>
    public PolytomicConnectionType? Type { get; init; }

    /// <summary>Gets <c>status</c>: <c>healthy</c> is the only documented value.</summary>
    public string? Status { get; init; }

    /// <summary>Gets <c>status_error</c>: vendor text, read only to see whether there is one; never echoed.</summary>
    public string? StatusError { get; init; }

    /// <summary>Gets <c>created_at</c>.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>The <c>type</c> of a connection; only its id is read.</summary>
public sealed record PolytomicConnectionType(string? Id);

/// <summary><c>GET /api/connections</c>: every connection of the organization, unpaged.</summary>
public sealed record PolytomicConnectionListEnvelope(IReadOnlyList<PolytomicConnection>? Data);

public sealed record PolytomicConnectionEnvelope(PolytomicConnection? Data);

/// <summary>
/// Either documented error shape: <c>ApiError</c> (<c>key</c>, <c>message</c>, <c>metadata</c>, numeric <c>status</c>)
/// or <c>RestErrResponse</c> (<c>code</c>, <c>context</c>, <c>error</c>, textual <c>status</c>). Read for decisions only; never logged or returned.
/// </summary>
public sealed record PolytomicError(string? Key, string? Message, JsonElement? Metadata, string? Error, JsonElement? Context)
{
    /// <summary>Gets all the error's text, lower case, for matching.</summary>
    internal string Text => string.Join(
        ' ', Key, Message, Error, Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null,
        Context is { ValueKind: JsonValueKind.Object } c ? c.GetRawText() : null).ToLowerInvariant();
}

/// <summary>Polytomic's wire format: snake_case, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(PolytomicConnectBody))]
[JsonSerializable(typeof(PolytomicConnectEnvelope))]
[JsonSerializable(typeof(PolytomicConnectionEnvelope))]
[JsonSerializable(typeof(PolytomicConnectionListEnvelope))]
[JsonSerializable(typeof(PolytomicError))]
internal sealed partial class PolytomicJsonContext : JsonSerializerContext;

/// <summary>Our own request contract: camelCase, duplicate keys refused.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PolytomicConnectRequest))]
internal sealed partial class PolytomicRequestJsonContext : JsonSerializerContext;
