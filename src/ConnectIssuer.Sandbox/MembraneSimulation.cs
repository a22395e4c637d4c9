using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace ConnectIssuer.Sandbox;

/// <summary>A connection held by <see cref="MembraneSimulation"/>, owned by one customer (the token's <c>id</c>).</summary>
public sealed record MembraneSimulatedConnection(string Id, string CustomerId, string IntegrationKey, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>Gets whether the connection needs re-authentication (<c>disconnected: true</c>).</summary>
    public bool Disconnected { get; init; }

    /// <summary>Gets the connection's <c>state</c>: <c>READY</c>, <c>BUILDING</c>, <c>CLIENT_ACTION_REQUIRED</c>, …</summary>
    public string State { get; init; } = "READY";

    /// <summary>Gets whether the connection carries a <c>clientAction</c> (<c>{"type":"connect"}</c>): the customer must finish it.</summary>
    public bool ClientActionRequired { get; init; }

    /// <summary>Gets when the connection was archived (deleted), or null.</summary>
    public DateTimeOffset? ArchivedAt { get; init; }

    /// <summary>Gets when the connection last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;
}

/// <summary>
/// Membrane (Integration.app)'s connections API as <c>docs/vendors/membrane.md</c> records it, for one workspace: every call
/// carries <c>Authorization: Bearer &lt;token&gt;</c>, a workspace token signed HS256/HS384/HS512 with the workspace secret
/// (the <c>IntegrationAppWorkspaceSecret</c>), <c>iss</c> the workspace key, an <c>exp</c> in the future, and either the
/// customer's <c>id</c> (a customer token: it sees only that customer's connections) or <c>isAdmin: true</c> (every
/// customer's); anything else is <c>401</c>.
/// <list type="bullet">
/// <item><c>GET /connections?limit=&amp;cursor=&amp;includeArchived=&amp;integrationKey=</c> → <c>{"items":[…],"cursor"?}</c>: send
/// <c>cursor</c> back for the next page; archived connections only with <c>includeArchived=true</c>;</item>
/// <item><c>GET /connections/{id}</c>; <c>DELETE /connections/{id}</c> archives it (sets <c>archivedAt</c>) and answers <c>200</c>
/// with the connection. Another customer's, an unknown or an archived id is <c>404</c>.</item>
/// </list>
/// Items carry <c>id, name, userId, tenantId, integrationId, integration{id,key,name}</c> (see <see cref="EmbedIntegration"/>),
/// <c>connected, disconnected, state, clientAction?, archivedAt?, createdAt, updatedAt</c>.
/// Where the docs are open, decisions: <c>limit</c> defaults to 100 and must be 1–1000 (else <c>400</c>); errors are
/// <c>{"type","message"}</c>; a delete of an archived connection is <c>404</c>.
/// </summary>
/// <remarks>
/// The sandbox UI stands in for Membrane's embedded UI, with a customer token in the query as the vendor's UI takes it:
/// <c>GET /embed/integrations/{key}/connect?token=</c> (its button creates a connected connection for the token's customer)
/// and <c>GET /embed/connections/{id}/refresh?token=</c> (the reconnect link: its button re-authenticates the connection).
/// <c>/_control</c> marks a connection broken (<c>disconnected: true</c>). Thread-safe.
/// </remarks>
public sealed class MembraneSimulation : IVendorSimulation
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    private readonly Lock _lock = new();
    private readonly List<MembraneSimulatedConnection> _connections = [];
    private readonly byte[] _secret;
    private readonly string? _workspaceKey;
    private readonly TimeProvider _time;
    private int _unauthorized;

    /// <param name="workspaceSecret">The workspace secret tokens must be signed with (HS256, HS384 or HS512).</param>
    /// <param name="workspaceKey">The workspace key every token's <c>iss</c> must equal; null accepts any issuer.</param>
    /// <param name="timeProvider">The clock for <c>exp</c> and timestamps.</param>
    public MembraneSimulation(string workspaceSecret, string? workspaceKey = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceSecret);
        _secret = Encoding.UTF8.GetBytes(workspaceSecret);
        _workspaceKey = workspaceKey;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets or sets whether list items embed <c>integration{id,key,name}</c> (whether Membrane does is not documented).</summary>
    public bool EmbedIntegration { get; set; } = true;

    /// <summary>Gets how many calls were refused with <c>401</c>.</summary>
    public int UnauthorizedCalls => Volatile.Read(ref _unauthorized);

    /// <summary>Gets a snapshot of every connection, archived ones included.</summary>
    public IReadOnlyList<MembraneSimulatedConnection> Connections
    {
        get
        {
            lock (_lock)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>
    /// Adds a connection for a customer in a vendor-neutral state: <see cref="SimulatedConnectionState.Healthy"/> is
    /// <c>READY</c>; <see cref="SimulatedConnectionState.Broken"/> <c>disconnected: true</c>;
    /// <see cref="SimulatedConnectionState.Pending"/> <c>CLIENT_ACTION_REQUIRED</c> with a <c>clientAction</c>;
    /// <see cref="SimulatedConnectionState.Archived"/> <c>READY</c> with <c>archivedAt</c>. Membrane has no documented paused
    /// state (the meaning of <c>isDeactivated</c> is not documented): <see cref="SimulatedConnectionState.Paused"/> is refused.
    /// </summary>
    public MembraneSimulatedConnection SeedConnection(string customerId, string integrationKey, SimulatedConnectionState state, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentException.ThrowIfNullOrEmpty(integrationKey);
        var now = _time.GetUtcNow();
        var connection = new MembraneSimulatedConnection(NewId(), customerId, integrationKey, name ?? DefaultName(integrationKey), now);
        connection = state switch
        {
            SimulatedConnectionState.Healthy => connection,
            SimulatedConnectionState.Broken => connection with { Disconnected = true },
            SimulatedConnectionState.Pending => connection with { State = "CLIENT_ACTION_REQUIRED", ClientActionRequired = true },
            SimulatedConnectionState.Archived => connection with { ArchivedAt = now },
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Membrane documents no paused state for a connection."),
        };
        lock (_lock)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>Marks a connection broken (<c>disconnected: true</c>), as Membrane does when its refresh fails for good.</summary>
    /// <returns>False when there is no such connection.</returns>
    public bool MarkBroken(string connectionId) => Update(connectionId, c => c with { Disconnected = true });

    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/connections", (HttpContext context) => Authorized(context, caller => List(context, caller)));
        routes.MapGet("/connections/{id}", (HttpContext context, string id) =>
            Authorized(context, caller => Visible(caller, id) is { } c ? Json(200, Describe(c)) : NotFound()));
        routes.MapDelete("/connections/{id}", (HttpContext context, string id) => Authorized(context, caller => Archive(caller, id)));
        routes.MapGet("/embed/integrations/{key}/connect", (HttpContext context, string key) => ConnectPage(context, key));
        routes.MapPost("/embed/integrations/{key}/connect", (HttpContext context, string key) => ConnectAsync(context, key));
        routes.MapGet("/embed/connections/{id}/refresh", (HttpContext context, string id) => RefreshPage(context, id));
        routes.MapPost("/embed/connections/{id}/refresh", (HttpContext context, string id) => RefreshAsync(context, id));
        SandboxControl.Map(
            routes,
            "Membrane (Integration.app)",
            () => Connections.Where(c => c.ArchivedAt is null)
                .Select(c => (c.Id, $"{c.IntegrationKey} of customer {c.CustomerId}: {c.State}{(c.Disconnected ? ", disconnected" : "")}")),
            MarkBroken);
    }

    /// <summary>Who a token speaks for: one customer, or (admin token) the whole workspace.</summary>
    private sealed record Caller(string? CustomerId)
    {
        public bool IsAdmin => CustomerId is null;

        public bool Sees(MembraneSimulatedConnection connection) => IsAdmin || connection.CustomerId == CustomerId;
    }

    private IResult Authorized(HttpContext context, Func<Caller, IResult> answer)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || ReadToken(authorization["Bearer ".Length..]) is not { } caller)
        {
            Interlocked.Increment(ref _unauthorized);
            return Error(401, "unauthorized", "Invalid or expired token");
        }

        return answer(caller);
    }

    /// <summary>The caller of a token signed with the workspace secret, unexpired, issued by the workspace; otherwise null.</summary>
    private Caller? ReadToken(string? token)
    {
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[0])) as JsonObject;
            var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            byte[]? expected = (header?["alg"] as JsonValue)?.TryGetValue(out string? alg) == true ? alg switch
            {
                "HS256" => HMACSHA256.HashData(_secret, signingInput),
                "HS384" => HMACSHA384.HashData(_secret, signingInput),
                "HS512" => HMACSHA512.HashData(_secret, signingInput),
                _ => null,
            } : null;
            if (expected is null || !CryptographicOperations.FixedTimeEquals(expected, WebEncoders.Base64UrlDecode(parts[2])))
            {
                return null;
            }

            if (JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[1])) is not JsonObject claims
                || claims["exp"] is not JsonValue exp || !exp.TryGetValue(out long expires) || expires <= _time.GetUtcNow().ToUnixTimeSeconds())
            {
                return null;
            }

            if (_workspaceKey is not null && !(claims["iss"] is JsonValue iss && iss.TryGetValue(out string? issuer) && issuer == _workspaceKey))
            {
                return null;
            }

            if (claims["isAdmin"] is JsonValue admin && admin.TryGetValue(out bool isAdmin) && isAdmin)
            {
                return new Caller(null);
            }

            return claims["id"] is JsonValue id && id.TryGetValue(out string? customerId) && customerId.Length > 0 ? new Caller(customerId) : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private IResult List(HttpContext context, Caller caller)
    {
        var query = context.Request.Query;
        var limit = DefaultLimit;
        if (query["limit"].Count > 0 && (!int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Error(400, "bad_request", $"limit must be between 1 and {MaxLimit}");
        }

        var start = 0;
        if (query["cursor"].ToString() is { Length: > 0 } cursor && !TryReadCursor(cursor, out start))
        {
            return Error(400, "bad_request", "invalid cursor");
        }

        var includeArchived = string.Equals(query["includeArchived"], "true", StringComparison.OrdinalIgnoreCase);
        var integrationKey = query["integrationKey"].ToString();
        List<MembraneSimulatedConnection> matches;
        lock (_lock)
        {
            matches = [.. _connections.Where(c => caller.Sees(c) && (includeArchived || c.ArchivedAt is null)
                && (integrationKey.Length == 0 || c.IntegrationKey == integrationKey))];
        }

        var page = matches.Skip(start).Take(limit).ToList();
        var body = new JsonObject { ["items"] = new JsonArray([.. page.Select(c => (JsonNode)Describe(c))]) };
        if (start + page.Count < matches.Count)
        {
            body["cursor"] = WebEncoders.Base64UrlEncode(Encoding.ASCII.GetBytes("o:" + (start + page.Count).ToString(CultureInfo.InvariantCulture)));
        }

        return Json(200, body);
    }

    private static bool TryReadCursor(string cursor, out int start)
    {
        start = 0;
        try
        {
            var text = Encoding.ASCII.GetString(WebEncoders.Base64UrlDecode(cursor));
            return text.StartsWith("o:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out start);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private IResult Archive(Caller caller, string id)
    {
        if (Visible(caller, id) is null)
        {
            return NotFound();
        }

        var now = _time.GetUtcNow();
        Update(id, c => c with { ArchivedAt = now, UpdatedAt = now });
        return Json(200, Describe(Find(id)!));
    }

    /// <summary>The connection when the caller may see it and it is not archived; otherwise null (the same 404 for both).</summary>
    private MembraneSimulatedConnection? Visible(Caller caller, string id) =>
        Find(id) is { ArchivedAt: null } connection && caller.Sees(connection) ? connection : null;

    private IResult ConnectPage(HttpContext context, string key)
    {
        var token = context.Request.Query["token"].ToString();
        if (ReadToken(token) is not { IsAdmin: false } caller)
        {
            return Html("<p>This link's customer token is invalid or has expired.</p>", 401);
        }

        return Html($"""
            <p>Sandbox: here Membrane's UI would let customer <code>{WebUtility.HtmlEncode(caller.CustomerId)}</code> connect
            <strong>{WebUtility.HtmlEncode(key)}</strong>.</p>
            <form method="post"><input type="hidden" name="token" value="{WebUtility.HtmlEncode(token)}">
              <button type="submit">Connect (creates a connected connection)</button></form>
            """);
    }

    private async Task<IResult> ConnectAsync(HttpContext context, string key)
    {
        if (await FormCallerAsync(context) is not { IsAdmin: false } caller)
        {
            return Html("<p>This link's customer token is invalid or has expired.</p>", 401);
        }

        var connection = SeedConnection(caller.CustomerId!, key, SimulatedConnectionState.Healthy);
        return Html($"""
            <p>Sandbox: <strong>{WebUtility.HtmlEncode(key)}</strong> is connected (connection <code>{connection.Id}</code>).
            Membrane's UI would now close; close this window and refresh the app's connections.</p>
            """);
    }

    private IResult RefreshPage(HttpContext context, string id)
    {
        var token = context.Request.Query["token"].ToString();
        if (ReadToken(token) is not { IsAdmin: false } caller)
        {
            return Html("<p>This link's customer token is invalid or has expired.</p>", 401);
        }

        if (Visible(caller, id) is not { } connection)
        {
            return Html("<p>This connection does not exist.</p>", 404);
        }

        return Html($"""
            <p>Sandbox: here Membrane's UI would ask customer <code>{WebUtility.HtmlEncode(caller.CustomerId)}</code> to sign in to
            <strong>{WebUtility.HtmlEncode(connection.IntegrationKey)}</strong> again (connection <code>{WebUtility.HtmlEncode(connection.Id)}</code>,
            {(connection.Disconnected ? "disconnected" : WebUtility.HtmlEncode(connection.State))}).</p>
            <form method="post"><input type="hidden" name="token" value="{WebUtility.HtmlEncode(token)}">
              <button type="submit">Reconnect</button></form>
            """);
    }

    private async Task<IResult> RefreshAsync(HttpContext context, string id)
    {
        if (await FormCallerAsync(context) is not { IsAdmin: false } caller || Visible(caller, id) is null)
        {
            return Html("<p>This link's customer token is invalid or has expired, or the connection does not exist.</p>", 404);
        }

        var now = _time.GetUtcNow();
        Update(id, c => c with { Disconnected = false, State = "READY", ClientActionRequired = false, UpdatedAt = now });
        return Html($"<p>Sandbox: connection <code>{WebUtility.HtmlEncode(id)}</code> is reconnected. Close this window and refresh the app's connections.</p>");
    }

    private async Task<Caller?> FormCallerAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        return ReadToken(form?["token"].ToString());
    }

    private bool Update(string id, Func<MembraneSimulatedConnection, MembraneSimulatedConnection> change)
    {
        lock (_lock)
        {
            var index = _connections.FindIndex(c => c.Id == id);
            if (index < 0)
            {
                return false;
            }

            _connections[index] = change(_connections[index]);
            return true;
        }
    }

    private MembraneSimulatedConnection? Find(string id)
    {
        lock (_lock)
        {
            return _connections.Find(c => c.Id == id);
        }
    }

    private JsonObject Describe(MembraneSimulatedConnection connection)
    {
        var customer = InternalId("cus", connection.CustomerId);
        var integrationId = InternalId("int", connection.IntegrationKey);
        var body = new JsonObject
        {
            ["id"] = connection.Id,
            ["name"] = connection.Name,
            ["userId"] = customer,
            ["tenantId"] = customer,
            ["integrationId"] = integrationId,
            ["connected"] = !connection.Disconnected && connection.State == "READY",
            ["disconnected"] = connection.Disconnected,
            ["state"] = connection.State,
            ["isTest"] = false,
            ["createdAt"] = Timestamp(connection.CreatedAt),
            ["updatedAt"] = Timestamp(connection.UpdatedAt),
        };
        if (EmbedIntegration)
        {
            body["integration"] = new JsonObject { ["id"] = integrationId, ["key"] = connection.IntegrationKey, ["name"] = connection.IntegrationKey };
        }

        if (connection.ClientActionRequired)
        {
            body["clientAction"] = new JsonObject { ["type"] = "connect", ["description"] = "Finish connecting" };
        }

        if (connection.ArchivedAt is { } archivedAt)
        {
            body["archivedAt"] = Timestamp(archivedAt);
        }

        return body;
    }

    // Membrane ids are 24 hex digits (Mongo-style); a stable one per customer and per integration.
    private static string InternalId(string kind, string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + ":" + value)))[..24];

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static string DefaultName(string integrationKey) => integrationKey + " connection";

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static IResult NotFound() => Error(404, "not_found", "Connection not found");

    private static IResult Error(int status, string type, string message) => Json(status, new JsonObject { ["type"] = type, ["message"] = message });

    private static IResult Json(int status, JsonObject body) => Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    private static IResult Html(string body, int status = 200) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Membrane (sandbox)</title></head><body>{body}</body></html>",
        "text/html", Encoding.UTF8, status);
}
