using System.Text.Json.Serialization;

namespace ConnectIssuer.Fivetran;

// Our contract (camelCase, like every route).

/// <summary>The body of <c>POST /api/fivetran/connect-card</c>.</summary>
public sealed record FivetranConnectCardRequest(string? Service, string? RedirectUri);

/// <summary>The answer of <c>GET /api/fivetran/connections/{connectionId}</c>.</summary>
public sealed record FivetranConnectionStatusResponse(string Vendor, string ConnectionId, string Service, string? SetupState, string? SyncState);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(FivetranConnectCardRequest))]
[JsonSerializable(typeof(FivetranConnectionStatusResponse))]
internal sealed partial class FivetranHttpJsonContext : JsonSerializerContext;

// Fivetran's wire shapes (snake_case, envelope { code, message, data }): docs/vendors/fivetran.md.

/// <summary>Every Fivetran answer: <c>{ "code": "Success", "message": ..., "data": ... }</c>; errors carry only code and message.</summary>
public sealed record FivetranEnvelope<T>(string? Code, string? Message, T? Data)
    where T : class;

/// <summary>A connection as Fivetran describes it (create, details and list items).</summary>
public sealed record FivetranConnection(
    string? Id, string? GroupId, string? Service, string? Schema, FivetranConnectionState? Status, FivetranConnectCard? ConnectCard)
{
    /// <summary>Gets <c>paused</c>: whether syncing is paused.</summary>
    public bool? Paused { get; init; }

    /// <summary>Gets <c>created_at</c>.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary><c>data.status</c>: <c>setup_state</c> (incomplete | connected | broken) and <c>sync_state</c> (scheduled | syncing | paused | rescheduled).</summary>
public sealed record FivetranConnectionState(string? SetupState, string? SyncState)
{
    /// <summary>Gets <c>status.tasks</c>: what the customer must do (e.g. <c>reconnect</c>); any entry means the connection is broken. Only counted, never echoed.</summary>
    public IReadOnlyList<JsonElement>? Tasks { get; init; }
}

/// <summary>A Connect Card: a short-lived JWT and the browser URI that embeds it.</summary>
public sealed record FivetranConnectCard(string? Token, string? Uri);

/// <summary>A page of a list: <c>data.items</c> and <c>data.next_cursor</c>.</summary>
public sealed record FivetranConnectionPage(IReadOnlyList<FivetranConnection>? Items, string? NextCursor);

/// <summary><c>data</c> of <c>POST /v1/connections/{id}/connect-card</c>; the id is still called <c>connector_id</c> there.</summary>
public sealed record FivetranConnectCardData(string? ConnectorId, FivetranConnectCard? ConnectCard);

/// <summary><c>connect_card_config</c>: where the browser goes afterwards, and whether the setup guide is hidden.</summary>
public sealed record FivetranConnectCardConfig(string RedirectUri, bool HideSetupGuide);

/// <summary>The body of <c>POST /v1/connections</c>.</summary>
public sealed record FivetranCreateConnectionRequest(
    string GroupId, string Service, bool RunSetupTests, IReadOnlyDictionary<string, string> Config, FivetranConnectCardConfig ConnectCardConfig);

/// <summary>The body of <c>POST /v1/connections/{id}/connect-card</c>.</summary>
public sealed record FivetranConnectCardBody(FivetranConnectCardConfig ConnectCardConfig);

/// <summary>A link the SPA can open, the token in it, and when it stops working (when the token says).</summary>
public sealed record FivetranConnectCardLink(Uri Url, string Token, DateTimeOffset? ExpiresAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FivetranEnvelope<FivetranConnection>))]
[JsonSerializable(typeof(FivetranEnvelope<FivetranConnectionPage>))]
[JsonSerializable(typeof(FivetranEnvelope<FivetranConnectCardData>))]
[JsonSerializable(typeof(FivetranCreateConnectionRequest))]
[JsonSerializable(typeof(FivetranConnectCardBody))]
internal sealed partial class FivetranJsonContext : JsonSerializerContext;
