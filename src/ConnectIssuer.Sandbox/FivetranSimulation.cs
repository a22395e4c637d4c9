using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace ConnectIssuer.Sandbox;

/// <summary>A connection as the simulation holds it (a snapshot; the tests assert on these).</summary>
public sealed record FivetranSimulatedConnection(
    string Id, string GroupId, string Service, string Schema, string SetupState, string SyncState, DateTimeOffset CreatedAt)
{
    /// <summary>Gets whether the connection is paused (<c>paused</c>; <c>status.sync_state</c> is then <c>paused</c>).</summary>
    public bool Paused { get; init; }

    /// <summary>Gets the codes of the connection's <c>status.tasks</c> (the API form of the dashboard's errors, e.g. <c>reconnect</c>).</summary>
    public IReadOnlyList<string> Tasks { get; init; } = [];

    /// <summary>Gets the codes of the connection's <c>status.warnings</c> (they do not stop syncing).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// An in-memory Fivetran REST API for the Connect Card flow, as Fivetran's REST API reference documents it (see
/// <c>docs/vendors/fivetran.md</c>): Basic auth (401 otherwise),
/// <c>Accept</c> (406 when JSON is not acceptable), JSON bodies only (415), the <c>{ code, message, data }</c> envelope, and
/// <list type="bullet">
/// <item><c>GET /v1/connections?group_id=&amp;schema=&amp;cursor=&amp;limit=</c> and <c>GET /v1/groups/{id}/connections?schema=</c> (exact schema match, paged);</item>
/// <item><c>POST /v1/connections</c> (201 with <c>connect_card</c> when <c>connect_card_config</c> is sent);</item>
/// <item><c>GET /v1/connections/{id}</c>; <c>POST /v1/connections/{id}/connect-card</c> (data keyed <c>connector_id</c>);</item>
/// <item><c>DELETE /v1/connections/{id}</c> (<c>200 {"code":"Success","message":"Connection has been deleted"}</c>, as go-fivetran's
/// <c>connections/connection_delete_test.go</c> shows; <c>404</c> for an unknown id).</item>
/// </list>
/// Where the docs are open, decisions: a second connection with the same schema in a group is refused with
/// <c>409 {"code":"Conflict"}</c>; <c>run_setup_tests</c> must be false (there are no credentials to test before the Connect
/// Card, so a real create would fail its setup tests); Connect Card tokens are HS256 JWTs with <c>exp</c> one day ahead.
/// The sandbox pages under <c>/connect-card/</c> stand in for the browser side: "Save &amp; Test" makes the connection
/// <c>connected</c> (and clears its tasks, so a Connect Card for a broken connection repairs it). <c>/_control</c> marks a
/// connection broken (<c>setup_state</c> <c>broken</c> with a <c>reconnect</c> task). Thread-safe.
/// </summary>
public sealed class FivetranSimulation : IVendorSimulation
{
    private static readonly string[] Adjectives = ["speak", "decent", "brisk", "quiet", "amber", "lucid", "nimble", "rustic", "vivid", "placid", "sturdy", "mellow"];
    private static readonly string[] Nouns = ["inexpensive", "dropsy", "otter", "harbor", "meadow", "lantern", "quartz", "willow", "falcon", "cobble", "ember", "tundra"];

    private readonly Lock _lock = new();
    private readonly List<FivetranSimulatedConnection> _connections = [];
    private readonly HashSet<string> _groups;
    private readonly string _expectedAuthorization;
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly List<string> _tokens = [];
    private int _staleListResponses;
    private int _createConflicts;
    private int _connectCardsIssued;

    /// <param name="apiKey">The API key a caller must present.</param>
    /// <param name="apiSecret">The API secret a caller must present.</param>
    /// <param name="groupIds">The destination groups that exist; connections can only be created in these.</param>
    /// <param name="timeProvider">The clock for <c>created_at</c> and token expiry.</param>
    public FivetranSimulation(string apiKey, string apiSecret, IEnumerable<string> groupIds, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        ArgumentNullException.ThrowIfNull(apiSecret);
        ArgumentNullException.ThrowIfNull(groupIds);
        _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{apiKey}:{apiSecret}"));
        _groups = new HashSet<string>(groupIds, StringComparer.Ordinal);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets a snapshot of every connection.</summary>
    public IReadOnlyList<FivetranSimulatedConnection> Connections
    {
        get
        {
            lock (_lock)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Gets how many creates were refused because the schema already existed in the group.</summary>
    public int CreateConflicts => Volatile.Read(ref _createConflicts);

    /// <summary>Gets how many Connect Cards were issued (by create and by the connect-card call).</summary>
    public int ConnectCardsIssued => Volatile.Read(ref _connectCardsIssued);

    /// <summary>Gets every Connect Card token issued, for leak scans.</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get
        {
            lock (_lock)
            {
                return [.. _tokens];
            }
        }
    }

    /// <summary>
    /// Gets or sets how many of the next list calls answer as if no connection existed: the view of an instance whose
    /// look-up ran just before another instance's create landed (tests use it to force the create-conflict path).
    /// </summary>
    public int StaleListResponses
    {
        get => Volatile.Read(ref _staleListResponses);
        set => Volatile.Write(ref _staleListResponses, value);
    }

    /// <summary>Adds a connection directly, as if created earlier (by this service, another one, or by hand).</summary>
    public string SeedConnection(string groupId, string service, string schema, string setupState = "incomplete", string syncState = "scheduled")
    {
        lock (_lock)
        {
            var connection = new FivetranSimulatedConnection(NewId(), groupId, service, schema, setupState, syncState, _time.GetUtcNow());
            _connections.Add(connection);
            return connection.Id;
        }
    }

    /// <summary>
    /// Adds a connection in a vendor-neutral state, as if created earlier: <see cref="SimulatedConnectionState.Healthy"/> is
    /// <c>setup_state</c> <c>connected</c>; <see cref="SimulatedConnectionState.Pending"/> <c>incomplete</c>;
    /// <see cref="SimulatedConnectionState.Broken"/> <c>broken</c> with a <c>reconnect</c> task;
    /// <see cref="SimulatedConnectionState.Paused"/> connected with <c>paused: true</c>. Fivetran does not archive:
    /// <see cref="SimulatedConnectionState.Archived"/> is refused.
    /// </summary>
    /// <returns>The new connection's id.</returns>
    public string SeedConnection(string groupId, string service, string schema, SimulatedConnectionState state)
    {
        var (setupState, syncState, paused, tasks) = state switch
        {
            SimulatedConnectionState.Healthy => ("connected", "scheduled", false, Array.Empty<string>()),
            SimulatedConnectionState.Pending => ("incomplete", "scheduled", false, []),
            SimulatedConnectionState.Broken => ("broken", "scheduled", false, ["reconnect"]),
            SimulatedConnectionState.Paused => ("connected", "paused", true, []),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Fivetran has no archived connections: a deleted connection is gone."),
        };
        lock (_lock)
        {
            var connection = new FivetranSimulatedConnection(NewId(), groupId, service, schema, setupState, syncState, _time.GetUtcNow())
            {
                Paused = paused,
                Tasks = tasks,
            };
            _connections.Add(connection);
            return connection.Id;
        }
    }

    /// <summary>Marks a connection broken, as Fivetran does when its credentials stop working: <c>setup_state</c> <c>broken</c>, a <c>reconnect</c> task.</summary>
    /// <returns>False when there is no such connection.</returns>
    public bool MarkBroken(string connectionId) =>
        Update(connectionId, c => c with { SetupState = "broken", Tasks = ["reconnect"] });

    /// <summary>Pauses or resumes a connection (<c>paused</c>, and <c>sync_state</c> <c>paused</c> or <c>scheduled</c>).</summary>
    /// <returns>False when there is no such connection.</returns>
    public bool SetPaused(string connectionId, bool paused) =>
        Update(connectionId, c => c with { Paused = paused, SyncState = paused ? "paused" : "scheduled" });

    /// <summary>Changes a connection's state, as the Connect Card and syncs would.</summary>
    public void SetState(string connectionId, string setupState, string syncState) =>
        Update(connectionId, c => c with { SetupState = setupState, SyncState = syncState });

    private bool Update(string connectionId, Func<FivetranSimulatedConnection, FivetranSimulatedConnection> change)
    {
        lock (_lock)
        {
            var index = _connections.FindIndex(c => c.Id == connectionId);
            if (index < 0)
            {
                return false;
            }

            _connections[index] = change(_connections[index]);
            return true;
        }
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // The casts keep the one-parameter handlers from binding as RequestDelegate, which would discard the IResult.
        routes.MapGet("/v1/connections", (Func<HttpContext, Task<IResult>>)(context =>
            Api(context, () => List(context, context.Request.Query["group_id"].ToString()))));
        routes.MapGet("/v1/groups/{groupId}/connections", (HttpContext context, string groupId) =>
            Api(context, () => _groups.Contains(groupId) ? List(context, groupId) : Error(404, "NotFound_Group", "Group not found")));
        routes.MapPost("/v1/connections", (Func<HttpContext, Task<IResult>>)(context => Api(context, () => CreateAsync(context))));
        routes.MapGet("/v1/connections/{id}", (HttpContext context, string id) =>
            Api(context, () => Find(id) is { } c ? Success(200, "Success", Describe(c)) : ConnectionNotFound()));
        routes.MapDelete("/v1/connections/{id}", (HttpContext context, string id) => Api(context, () => Delete(id)));
        routes.MapPost("/v1/connections/{id}/connect-card", (HttpContext context, string id) => Api(context, () => ConnectCardAsync(context, id)));
        routes.MapGet("/connect-card/setup", (HttpContext context) => SetupPage(context));
        routes.MapPost("/connect-card/complete", (Func<HttpContext, Task<IResult>>)CompletePageAsync);
        SandboxControl.Map(
            routes,
            "Fivetran",
            () => Connections.Select(c => (c.Id, $"{c.Service} (schema {c.Schema}): setup_state {c.SetupState}{(c.Paused ? ", paused" : "")}")),
            MarkBroken);
    }

    private IResult Delete(string id)
    {
        lock (_lock)
        {
            if (_connections.RemoveAll(c => c.Id == id) == 0)
            {
                return ConnectionNotFound();
            }
        }

        return Json(200, new JsonObject { ["code"] = "Success", ["message"] = "Connection has been deleted" });
    }

    private Task<IResult> Api(HttpContext context, Func<IResult> handle) => Api(context, () => Task.FromResult(handle()));

    private async Task<IResult> Api(HttpContext context, Func<Task<IResult>> handle)
    {
        var request = context.Request;
        if (!string.Equals(request.Headers.Authorization.ToString(), _expectedAuthorization, StringComparison.Ordinal))
        {
            return Error(401, "AuthFailed", "Authentication failed: check the API key and secret");
        }

        var accept = request.Headers.Accept.ToString();
        if (accept.Length > 0 && !accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("*/*", StringComparison.Ordinal))
        {
            return Error(406, "NotAcceptable", "Only application/json is available");
        }

        if (HttpMethods.IsPost(request.Method) && !(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Error(415, "UnsupportedMediaType", "Content-Type must be application/json");
        }

        return await handle();
    }

    private IResult List(HttpContext context, string groupId)
    {
        var query = context.Request.Query;
        var schema = query["schema"].ToString();
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 100;
        var start = int.TryParse(query["cursor"], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
        if (limit is < 1 or > 1000)
        {
            return Error(400, "InvalidInput", "limit must be between 1 and 1000");
        }

        List<FivetranSimulatedConnection> matches;
        lock (_lock)
        {
            matches = [.. _connections.Where(x =>
                (groupId.Length == 0 || x.GroupId == groupId) && (schema.Length == 0 || x.Schema == schema))];
        }

        if (TakeStaleListResponse())
        {
            matches.Clear();
        }

        var page = matches.Skip(start).Take(limit).ToList();
        var items = new JsonArray([.. page.Select(x => (JsonNode)Describe(x))]);
        var next = start + page.Count < matches.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return Success(200, "Success", new JsonObject { ["items"] = items, ["next_cursor"] = next });
    }

    private bool TakeStaleListResponse()
    {
        while (true)
        {
            var remaining = Volatile.Read(ref _staleListResponses);
            if (remaining <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _staleListResponses, remaining - 1, remaining) == remaining)
            {
                return true;
            }
        }
    }

    private async Task<IResult> CreateAsync(HttpContext context)
    {
        if (await ReadObjectAsync(context) is not { } body)
        {
            return Error(400, "InvalidInput", "The request body must be a JSON object");
        }

        var groupId = Text(body, "group_id");
        var service = Text(body, "service");
        if (groupId is null || service is null)
        {
            return Error(400, "InvalidInput", $"Field '{(groupId is null ? "group_id" : "service")}' is required");
        }

        if (!_groups.Contains(groupId))
        {
            return Error(404, "NotFound_Group", "Group not found");
        }

        var config = body["config"] as JsonObject;
        var schema = (config is null ? null : Text(config, "schema")) ?? (config is null ? null : Text(config, "schema_prefix"));
        if (schema is null)
        {
            return Error(400, "InvalidInput", "Field 'schema' is required");
        }

        if (schema.Length == 0 || !(char.IsAsciiLetterLower(schema[0]) || schema[0] == '_') || !schema.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_'))
        {
            return Error(400, "InvalidInput", "Invalid schema name: use lowercase letters, digits and underscores, starting with a letter or underscore");
        }

        if (body["run_setup_tests"] is not JsonValue runTests || !runTests.TryGetValue(out bool run) || run)
        {
            return Error(400, "InvalidInput", "Setup tests failed: the connection has no credentials yet (create with run_setup_tests: false for a Connect Card)");
        }

        var cardConfig = body["connect_card_config"] as JsonObject;
        if (body["connect_card_config"] is not null && !ValidCardConfig(cardConfig))
        {
            return Error(400, "InvalidInput", "connect_card_config.redirect_uri must start with http:// or https://");
        }

        FivetranSimulatedConnection connection;
        lock (_lock)
        {
            if (_connections.Any(x => x.GroupId == groupId && x.Schema == schema))
            {
                _createConflicts++;
                return Error(409, "Conflict", "A connection with this schema already exists in the group");
            }

            connection = new FivetranSimulatedConnection(NewId(), groupId, service, schema, "incomplete", "scheduled", _time.GetUtcNow());
            _connections.Add(connection);
        }

        var data = Describe(connection);
        if (cardConfig is not null)
        {
            data["connect_card"] = Card(context, connection.Id, cardConfig);
            data["connect_card_config"] = cardConfig.DeepClone();
        }

        return Success(201, "Connection has been created", data);
    }

    private async Task<IResult> ConnectCardAsync(HttpContext context, string id)
    {
        var body = await ReadObjectAsync(context);
        var cardConfig = body?["connect_card_config"] as JsonObject;
        if (!ValidCardConfig(cardConfig))
        {
            return Error(400, "InvalidInput", "Field 'connect_card_config.redirect_uri' is required and must start with http:// or https://");
        }

        if (Find(id) is null)
        {
            return ConnectionNotFound();
        }

        return Success(200, "Connection Connect Card has been created", new JsonObject
        {
            ["connector_id"] = id,
            ["connect_card"] = Card(context, id, cardConfig!),
            ["connect_card_config"] = cardConfig!.DeepClone(),
        });
    }

    private JsonObject Card(HttpContext context, string connectionId, JsonObject cardConfig)
    {
        var redirectUri = Text(cardConfig, "redirect_uri")!;
        var hide = cardConfig["hide_setup_guide"] is JsonValue h && h.TryGetValue(out bool hideValue) && hideValue;
        var token = IssueToken(connectionId, redirectUri);
        var request = context.Request;
        var uri = $"{request.Scheme}://{request.Host}{request.PathBase}/connect-card/setup?redirect_uri={Uri.EscapeDataString(redirectUri)}&auth={token}"
            + (hide ? "&hide_setup_guide=true" : "");
        return new JsonObject { ["token"] = token, ["uri"] = uri };
    }

    private string IssueToken(string connectionId, string redirectUri)
    {
        var now = _time.GetUtcNow();
        var header = WebEncoders.Base64UrlEncode("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
        var payload = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["connection_id"] = connectionId,
            ["redirect_uri"] = redirectUri,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddDays(1).ToUnixTimeSeconds(),
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
        }.ToJsonString()));
        var signature = WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_tokenKey, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        var token = $"{header}.{payload}.{signature}";
        lock (_lock)
        {
            _tokens.Add(token);
        }

        Interlocked.Increment(ref _connectCardsIssued);
        return token;
    }

    /// <summary>The verified claims of a token this simulation issued, or null.</summary>
    private JsonObject? ReadToken(string? token)
    {
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var expected = HMACSHA256.HashData(_tokenKey, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
            if (!CryptographicOperations.FixedTimeEquals(expected, WebEncoders.Base64UrlDecode(parts[2])))
            {
                return null;
            }

            var claims = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[1])) as JsonObject;
            return claims?["exp"]?.GetValue<long>() > _time.GetUtcNow().ToUnixTimeSeconds() ? claims : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private IResult SetupPage(HttpContext context)
    {
        var token = context.Request.Query["auth"].ToString();
        if (ReadToken(token) is not { } claims || Find(claims["connection_id"]!.GetValue<string>()) is not { } connection)
        {
            return Results.Content(Page("This Connect Card link is invalid or has expired."), "text/html", Encoding.UTF8, 400);
        }

        var redirect = WebUtility.HtmlEncode(claims["redirect_uri"]!.GetValue<string>());
        return Results.Content(Page($"""
            <p>Sandbox: here Fivetran would show its Connect Card, where the customer authorizes
            <strong>{WebUtility.HtmlEncode(connection.Service)}</strong> for connection <code>{connection.Id}</code>
            (setup state: {connection.SetupState}).</p>
            <form method="post" action="{WebUtility.HtmlEncode(context.Request.PathBase + "/connect-card/complete")}">
              <input type="hidden" name="auth" value="{WebUtility.HtmlEncode(token)}">
              <button type="submit">Simulate "Save &amp; Test" (marks the connection connected)</button>
            </form>
            <p><a href="{redirect}">Back to the app without finishing</a></p>
            """), "text/html", Encoding.UTF8);
    }

    private async Task<IResult> CompletePageAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        if (ReadToken(form?["auth"].ToString()) is not { } claims || Find(claims["connection_id"]!.GetValue<string>()) is not { } connection)
        {
            return Results.Content(Page("This Connect Card link is invalid or has expired."), "text/html", Encoding.UTF8, 400);
        }

        // Save & Test passed: connected, and whatever Fivetran asked the customer to fix is done.
        Update(connection.Id, c => c with { SetupState = "connected", SyncState = c.Paused ? "paused" : "scheduled", Tasks = [] });

        // Only the redirect URI inside our own signed token is linked, so the page cannot be used to send a browser elsewhere.
        var redirect = WebUtility.HtmlEncode(claims["redirect_uri"]!.GetValue<string>());
        return Results.Content(Page($"""
            <p>Sandbox: the setup tests passed and connection <code>{connection.Id}</code> is now <strong>connected</strong>.
            Fivetran would now send the browser back to the app.</p>
            <p><a href="{redirect}">Continue to the app</a></p>
            """), "text/html", Encoding.UTF8);
    }

    private static string Page(string body) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Fivetran Connect Card (sandbox)</title></head><body>{body}</body></html>";

    private static bool ValidCardConfig(JsonObject? cardConfig) =>
        cardConfig is not null && Text(cardConfig, "redirect_uri") is { } uri
        && (uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase));

    private static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue(out string? text) && text.Length > 0 ? text : null;

    private FivetranSimulatedConnection? Find(string id)
    {
        lock (_lock)
        {
            return _connections.FirstOrDefault(c => c.Id == id);
        }
    }

    /// <summary>A new id in Fivetran's style, two words joined by <c>_</c> (a number is added once the pairs run out). Under the lock.</summary>
    private string NewId()
    {
        for (var attempt = 0; ; attempt++)
        {
            var id = $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}"
                + (attempt < 20 ? "" : string.Create(CultureInfo.InvariantCulture, $"{RandomNumberGenerator.GetInt32(1_000_000)}"));
            if (!_connections.Any(c => c.Id == id))
            {
                return id;
            }
        }
    }

    private static JsonObject Describe(FivetranSimulatedConnection connection) => new()
    {
        ["id"] = connection.Id,
        ["group_id"] = connection.GroupId,
        ["service"] = connection.Service,
        ["service_version"] = 1,
        ["schema"] = connection.Schema,
        ["paused"] = connection.Paused,
        ["created_at"] = connection.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["status"] = new JsonObject
        {
            ["setup_state"] = connection.SetupState,
            ["sync_state"] = connection.SyncState,
            ["update_state"] = "on_schedule",
            ["is_historical_sync"] = true,
            ["tasks"] = Alerts(connection.Tasks),
            ["warnings"] = Alerts(connection.Warnings),
        },
    };

    // Fixture form: {"code":"reconnect","message":"Reconnect"} (terraform-provider-fivetran mocks; messages per the dashboard).
    private static JsonArray Alerts(IReadOnlyList<string> codes) => new([.. codes.Select(code => (JsonNode)new JsonObject
    {
        ["code"] = code,
        ["message"] = code == "reconnect" ? "Reconnect" : code,
    })]);

    private static IResult ConnectionNotFound() => Error(404, "NotFound_Connector", "Connection not found");

    private static IResult Success(int status, string message, JsonObject data) =>
        Json(status, new JsonObject { ["code"] = "Success", ["message"] = message, ["data"] = data });

    private static IResult Error(int status, string code, string message) =>
        Json(status, new JsonObject { ["code"] = code, ["message"] = message });

    private static IResult Json(int status, JsonObject body) =>
        Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status);
}
