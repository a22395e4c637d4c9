using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ConnectIssuer.Sandbox;

/// <summary>A connection held by <see cref="PolytomicSimulation"/>.</summary>
public sealed record PolytomicSimulatedConnection(string Id, string Name, string Type, string OrganizationId, DateTimeOffset CreatedAt)
{
    /// <summary>Gets the connection's <c>status</c>; the only value Polytomic documents is <c>healthy</c>.</summary>
    public string Status { get; init; } = "healthy";

    /// <summary>Gets the connection's <c>status_error</c> (empty when there is none).</summary>
    public string StatusError { get; init; } = "";
}

/// <summary>A Connect session started on <see cref="PolytomicSimulation"/>, with what the request carried.</summary>
public sealed record PolytomicSimulatedSession(
    string Token, string Name, string RedirectUrl, IReadOnlyList<string>? Whitelist, string? Type, string? ConnectionId, bool? Dark, string? IdempotencyKey);

/// <summary>
/// Polytomic, as its API reference documents it (see <c>docs/vendors/polytomic.md</c>): <c>Authorization: Bearer &lt;key&gt;</c>,
/// <c>POST /api/connections/connect[/]</c> (<c>name</c>, <c>redirect_url</c>, <c>whitelist</c>, <c>type</c>,
/// <c>connection</c>, <c>dark</c>, <c>organization_id</c>) answering <c>{"data":{"redirect_url","token"}}</c>,
/// <c>GET /api/connections[/{id}]</c> in the <c>data</c> envelope, names unique per organization
/// (<c>422 name: must be unique</c>), <c>Idempotency-Key</c> replay (8–255 of letters, digits, <c>-</c>, <c>_</c>;
/// the first outcome is replayed, errors included; a key still in flight gets <c>409</c>), <c>ApiError</c>
/// bodies, and <c>RestErrResponse</c> for <c>401</c> (or for every error with <see cref="UseRestErrorShape"/>),
/// <c>DELETE /api/connections/{id}</c> (<c>204</c>, no body; polytomic-go <c>connections/raw_client.go</c> <c>Remove</c>).
/// Every response carries <c>X-Polytomic-Version</c>. In the sandbox, the Connect link opens a small page
/// whose button saves the connection (<c>healthy</c>; a reconnect session makes its connection healthy again) and returns
/// to the redirect URL. <c>/_control</c> marks a connection broken (<c>status</c> <c>unhealthy</c> with a <c>status_error</c>:
/// Polytomic documents no value besides <c>healthy</c>, so that one is the simulation's choice).
/// </summary>
public sealed partial class PolytomicSimulation(string apiKey, TimeProvider? timeProvider = null) : IVendorSimulation
{
    public const string OrganizationId = "6f0b1f5e-0000-4000-8000-00000000c0de";

    private const string LatestVersion = "2025-09-18";
    private const string BrokenStatus = "unhealthy";
    private const string BrokenStatusError = "sandbox: the saved credentials were rejected (marked broken)";

    private readonly Lock _lock = new();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<string, PolytomicSimulatedConnection> _connections = new(StringComparer.Ordinal);
    private readonly List<PolytomicSimulatedSession> _sessions = [];
    private readonly Dictionary<string, (int Status, string Body)?> _idempotency = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether every error uses the Go SDK's <c>RestErrResponse</c> shape instead of <c>ApiError</c>.</summary>
    public bool UseRestErrorShape { get; set; }

    /// <summary>Gets the sessions started so far (replayed requests do not start one).</summary>
    public IReadOnlyList<PolytomicSimulatedSession> Sessions
    {
        get
        {
            lock (_lock)
            {
                return [.. _sessions];
            }
        }
    }

    /// <summary>Gets the connections of the organization.</summary>
    public IReadOnlyList<PolytomicSimulatedConnection> Connections
    {
        get
        {
            lock (_lock)
            {
                return [.. _connections.Values];
            }
        }
    }

    /// <summary>Adds a saved connection, as if someone had completed a Connect session or created it by hand.</summary>
    public PolytomicSimulatedConnection AddConnection(string name, string type) => AddConnection(name, type, "healthy", "");

    /// <summary>
    /// Adds a saved connection in a vendor-neutral state: <see cref="SimulatedConnectionState.Healthy"/> is <c>status</c>
    /// <c>healthy</c>; <see cref="SimulatedConnectionState.Broken"/> is <c>unhealthy</c> with a <c>status_error</c>. Polytomic
    /// has no documented pending, paused or archived state: those are refused.
    /// </summary>
    public PolytomicSimulatedConnection AddConnection(string name, string type, SimulatedConnectionState state) => state switch
    {
        SimulatedConnectionState.Healthy => AddConnection(name, type, "healthy", ""),
        SimulatedConnectionState.Broken => AddConnection(name, type, BrokenStatus, BrokenStatusError),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Polytomic documents only a healthy status and a status_error."),
    };

    /// <summary>Adds a saved connection with the given <c>status</c> and <c>status_error</c>, as Polytomic would report them.</summary>
    public PolytomicSimulatedConnection AddConnection(string name, string type, string status, string statusError)
    {
        lock (_lock)
        {
            var connection = new PolytomicSimulatedConnection(Guid.NewGuid().ToString(), name, type, OrganizationId, _time.GetUtcNow())
            {
                Status = status,
                StatusError = statusError,
            };
            _connections[connection.Id] = connection;
            return connection;
        }
    }

    /// <summary>Marks a connection broken, as Polytomic's health check would after its credentials stopped working.</summary>
    /// <returns>False when there is no such connection.</returns>
    public bool MarkBroken(string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(connectionId, out var connection))
            {
                return false;
            }

            _connections[connectionId] = connection with { Status = BrokenStatus, StatusError = BrokenStatusError };
            return true;
        }
    }

    /// <summary>Marks an idempotency key as still being processed, so a request with it gets <c>409</c>.</summary>
    public void HoldIdempotencyKey(string key)
    {
        lock (_lock)
        {
            _idempotency[key] = null;
        }
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        // Routing matches both spellings of the documented path, with and without the trailing slash.
        routes.MapPost("/api/connections/connect", (HttpRequest request) => ConnectAsync(request.HttpContext));
        routes.MapGet("/api/connections/{id}", (HttpContext context, string id) => Authorized(context, () => GetConnection(id)));
        routes.MapDelete("/api/connections/{id}", (HttpContext context, string id) => Authorized(context, () => DeleteConnection(id)));
        routes.MapGet("/api/connections", (HttpContext context) => Authorized(context, ListConnections));
        routes.MapGet("/connect", ConnectPage);
        routes.MapPost("/connect/save", SaveConnection);
        SandboxControl.Map(routes, "Polytomic", () => Connections.Select(c => (c.Id, $"{c.Name} ({c.Type}): {c.Status}")), MarkBroken);
    }

    private IResult DeleteConnection(string id)
    {
        lock (_lock)
        {
            return _connections.Remove(id) ? Results.NoContent() : ErrorResult(404, "not_found", "connection not found");
        }
    }

    private async Task<IResult> ConnectAsync(HttpContext context)
    {
        if (Unauthorized(context) is { } unauthorized)
        {
            return unauthorized;
        }

        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0 && !IdempotencyKeyPattern().IsMatch(key))
        {
            return Error(context, 400, "bad_request", "Idempotency-Key must be 8-255 letters, digits, '-' or '_'");
        }

        using var reader = new StreamReader(context.Request.Body);
        var json = await reader.ReadToEndAsync(context.RequestAborted);
        var link = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/connect";
        (int Status, string Body) outcome;
        lock (_lock)
        {
            if (key.Length > 0 && _idempotency.TryGetValue(key, out var earlier))
            {
                if (earlier is null)
                {
                    return Error(context, 409, "conflict", "a request with this idempotency key is in progress");
                }

                return Json(context, earlier.Value.Status, earlier.Value.Body);
            }

            outcome = StartSession(json, link, key.Length > 0 ? key : null);
            if (key.Length > 0)
            {
                _idempotency[key] = outcome;
            }
        }

        return Json(context, outcome.Status, outcome.Body);
    }

    /// <summary>Validates the body and starts a session; called under the lock.</summary>
    private (int Status, string Body) StartSession(string json, string link, string? idempotencyKey)
    {
        JsonObject body;
        try
        {
            body = JsonNode.Parse(json) as JsonObject ?? throw new JsonException();
        }
        catch (JsonException)
        {
            return ErrorBody(400, "bad_request", "request body must be a JSON object");
        }

        if (!TryString(body, "name", out var name) || string.IsNullOrWhiteSpace(name))
        {
            return ErrorBody(422, "validation_error", "name: required");
        }

        if (!TryString(body, "redirect_url", out var redirectUrl) || !Uri.TryCreate(redirectUrl, UriKind.Absolute, out _))
        {
            return ErrorBody(422, "validation_error", "redirect_url: must be a valid URL");
        }

        if (!TryString(body, "type", out var type) || !TryString(body, "connection", out var connectionId)
            || !TryStrings(body, "whitelist", out var whitelist) || !TryBool(body, "dark", out var dark))
        {
            return ErrorBody(422, "validation_error", "request body has a field of the wrong type");
        }

        if (connectionId is not null && !_connections.ContainsKey(connectionId))
        {
            return ErrorBody(404, "not_found", "connection not found");
        }

        if (_connections.Values.Any(c => c.Name == name && c.Id != connectionId))
        {
            return ErrorBody(422, "validation_error", "name: must be unique", new JsonObject { ["name"] = "must be unique" });
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _sessions.Add(new PolytomicSimulatedSession(token, name!, redirectUrl!, whitelist, type, connectionId, dark, idempotencyKey));
        var data = new JsonObject { ["redirect_url"] = $"{link}?token={token}", ["token"] = token };
        return (200, new JsonObject { ["data"] = data }.ToJsonString());
    }

    private IResult GetConnection(string id)
    {
        lock (_lock)
        {
            return _connections.TryGetValue(id, out var connection)
                ? Results.Text(new JsonObject { ["data"] = ToJson(connection) }.ToJsonString(), "application/json")
                : ErrorResult(404, "not_found", "connection not found");
        }
    }

    private IResult ListConnections()
    {
        lock (_lock)
        {
            var items = new JsonArray([.. _connections.Values.OrderBy(c => c.CreatedAt).Select(c => (JsonNode)ToJson(c))]);
            return Results.Text(new JsonObject { ["data"] = items }.ToJsonString(), "application/json");
        }
    }

    private IResult ConnectPage(string? token)
    {
        var session = FindSession(token);
        if (session is null)
        {
            return Results.Content("<!doctype html><title>Polytomic Connect (sandbox)</title><p>This Connect session does not exist.</p>", "text/html", statusCode: 404);
        }

        var types = session.Whitelist is { Count: > 0 } list ? string.Join(", ", list) : session.Type ?? "any type";
        var html = $"""
            <!doctype html>
            <title>Polytomic Connect (sandbox)</title>
            <h1>Polytomic Connect (sandbox)</h1>
            <p>Polytomic would now let the user pick one of: {WebUtility.HtmlEncode(types)}, and enter its credentials
            for the connection <code>{WebUtility.HtmlEncode(session.Name)}</code>{(session.ConnectionId is null ? "" : " (reconnect)")}.</p>
            <form method="post" action="connect/save?token={WebUtility.UrlEncode(session.Token)}"><button>Save and return</button></form>
            <p><a href="{WebUtility.HtmlEncode(session.RedirectUrl)}">Return without saving</a></p>
            """;
        return Results.Content(html, "text/html");
    }

    private IResult SaveConnection(string? token)
    {
        lock (_lock)
        {
            var session = _sessions.FirstOrDefault(s => s.Token == token);
            if (session is null)
            {
                return Results.NotFound();
            }

            if (session.ConnectionId is { } reconnected && _connections.TryGetValue(reconnected, out var existing))
            {
                // New credentials entered: the health check passes again.
                _connections[reconnected] = existing with { Status = "healthy", StatusError = "" };
            }
            else if (session.ConnectionId is null && !_connections.Values.Any(c => c.Name == session.Name))
            {
                var type = session.Type ?? (session.Whitelist is { Count: > 0 } whitelist ? whitelist[0] : "api");
                var connection = new PolytomicSimulatedConnection(Guid.NewGuid().ToString(), session.Name, type, OrganizationId, _time.GetUtcNow());
                _connections[connection.Id] = connection;
            }

            return Results.Redirect(session.RedirectUrl);
        }
    }

    private PolytomicSimulatedSession? FindSession(string? token)
    {
        lock (_lock)
        {
            return _sessions.FirstOrDefault(s => s.Token == token);
        }
    }

    private IResult Authorized(HttpContext context, Func<IResult> answer)
    {
        if (Unauthorized(context) is { } unauthorized)
        {
            return unauthorized;
        }

        context.Response.Headers["X-Polytomic-Version"] = Version(context);
        return answer();
    }

    private IResult? Unauthorized(HttpContext context)
    {
        context.Response.Headers["X-Polytomic-Version"] = Version(context);
        if (context.Request.Headers.Authorization.ToString() == "Bearer " + apiKey)
        {
            return null;
        }

        // The Go SDK decodes a 401 as RestErrResponse.
        var body = new JsonObject { ["code"] = 401, ["context"] = new JsonObject(), ["error"] = "unauthorized", ["status"] = "Unauthorized" };
        return Results.Text(body.ToJsonString(), "application/json", statusCode: 401);
    }

    private static string Version(HttpContext context) =>
        context.Request.Headers["X-Polytomic-Version"].ToString() is { Length: > 0 } version ? version : LatestVersion;

    private IResult Error(HttpContext context, int status, string key, string message)
    {
        var (code, body) = ErrorBody(status, key, message);
        return Json(context, code, body);
    }

    private IResult ErrorResult(int status, string key, string message)
    {
        var (code, body) = ErrorBody(status, key, message);
        return Results.Text(body, "application/json", statusCode: code);
    }

    private (int Status, string Body) ErrorBody(int status, string key, string message, JsonObject? metadata = null)
    {
        JsonObject body = UseRestErrorShape
            ? new() { ["code"] = status, ["context"] = metadata ?? [], ["error"] = message, ["status"] = ReasonPhrase(status) }
            : new() { ["key"] = key, ["message"] = message, ["metadata"] = metadata ?? [], ["status"] = status };
        return (status, body.ToJsonString());
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Unprocessable Entity",
    };

    private static IResult Json(HttpContext context, int status, string body)
    {
        context.Response.Headers["X-Polytomic-Version"] = Version(context);
        return Results.Text(body, "application/json", statusCode: status);
    }

    private static JsonObject ToJson(PolytomicSimulatedConnection connection) => new()
    {
        ["id"] = connection.Id,
        ["name"] = connection.Name,
        ["organization_id"] = connection.OrganizationId,
        ["type"] = new JsonObject { ["id"] = connection.Type, ["name"] = connection.Type },
        ["configuration"] = new JsonObject(),
        ["status"] = connection.Status,
        ["status_error"] = connection.StatusError,
        ["saved"] = true,
        ["policies"] = new JsonArray(),
        ["created_at"] = connection.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["updated_at"] = connection.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private static bool TryString(JsonObject body, string name, out string? value)
    {
        value = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        return node is JsonValue v && v.TryGetValue(out value);
    }

    private static bool TryBool(JsonObject body, string name, out bool? value)
    {
        value = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.TryGetValue(out bool b))
        {
            value = b;
            return true;
        }

        return false;
    }

    private static bool TryStrings(JsonObject body, string name, out IReadOnlyList<string>? values)
    {
        values = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node is not JsonArray array)
        {
            return false;
        }

        var list = new List<string>();
        foreach (var item in array)
        {
            if (item is not JsonValue v || !v.TryGetValue(out string? s))
            {
                return false;
            }

            list.Add(s);
        }

        values = list;
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{8,255}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdempotencyKeyPattern();
}
