using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectIssuer.Sandbox;

/// <summary>A user as the Alloy simulation holds it.</summary>
public sealed record AlloySimulatedUser(string UserId, string Username, string? FullName);

/// <summary>A credential of a user (an app the user authorized), as the Alloy simulation holds it.</summary>
public sealed record AlloySimulatedCredential(string CredentialId, string UserId, string Type, string Name, DateTimeOffset CreatedAt);

/// <summary>
/// Alloy Embedded's user API as Alloy's API reference documents it (see <c>docs/vendors/alloy.md</c>): <c>POST /users</c> (or <c>/users/</c>) answering
/// <c>{ "userId" }</c>, <c>GET /users</c>, <c>GET /users/{userIdOrUsername}</c> answering <c>{ "userId", "username",
/// "fullName" }</c> and <c>GET /users/{userIdOrUsername}/token</c> answering <c>{ "token" }</c> only, with
/// <c>Authorization: Bearer &lt;API key&gt;</c> (401 <c>{"message":"Unauthorized"}</c> otherwise); and a user's credentials:
/// <c>GET /credentials/users/{userId}</c> (2025-09 reference) or <c>GET /users/{userId}/credentials</c> (2024-03, alloy-node
/// <c>embedded/credentials.mjs</c>) answering <c>{"data":[{credentialId, type, name (2025-09 only), createdAt, updatedAt}]}</c>,
/// and <c>DELETE /users/{userId}/credentials/{credentialId}</c> answering <c>{"success":true}</c>.
/// </summary>
/// <remarks>
/// <para>
/// Map it at the root for the 2025-09 scheme (<see cref="RequiredApiVersion"/> set: the <c>x-api-version</c>
/// header and the token's <c>userId</c> query parameter are required, as the reference marks them), or behind a
/// version path segment such as <c>/2024-03</c> with <see cref="RequiredApiVersion"/> null for the older scheme.
/// </para>
/// <para>
/// Where Alloy documents nothing, the simulation takes the stricter reading: usernames are unique without regard to
/// case (so a username scheme that relies on case fails against it), a taken username answers
/// <see cref="DuplicateStatus"/> (422 by default, the status the official SDK treats as a validation error) with a
/// <c>message</c>, and an unknown user answers 404 <c>{"message":"User not found"}</c>. Tokens are HS256 JWTs
/// with <c>userId</c>, <c>username</c>, <c>iat</c> and <c>exp</c> (30 minutes, the documented maximum).
/// </para>
/// <para>
/// Credentials: each scheme answers only its own list path (the other is 404, as an unknown route); the path takes the
/// <c>userId</c> only (whether Alloy accepts a username there is not documented, so the simulation does not); an unknown
/// user is 404 <c>User not found</c>, a credential that is not the user's is 404 <c>{"message":"Credential not found"}</c>.
/// Alloy documents no validity field, so a credential has no state. In the sandbox, <c>GET /connect?token=&lt;user token&gt;</c>
/// stands in for Alloy's authorization modal: its button adds a credential of the chosen app for the token's user.
/// </para>
/// <para>All state is in memory and thread-safe; creating a user is atomic, so concurrent creates of one username
/// give exactly one user.</para>
/// </remarks>
public sealed class AlloySimulation(string apiKey, TimeProvider? timeProvider = null) : IVendorSimulation
{
    private readonly Lock _lock = new();
    private static readonly string[] SandboxApps = ["salesforce", "hubspot", "slack", "shopify"];

    private readonly List<AlloySimulatedUser> _users = [];
    private readonly List<AlloySimulatedCredential> _credentials = [];
    private readonly Dictionary<string, (string UserId, DateTimeOffset ExpiresAt)> _issuedTokens = new(StringComparer.Ordinal);
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private int _tokensIssued;
    private int _duplicatesRefused;

    /// <summary>Gets or sets the API key the simulation accepts (settable, to simulate a rotation).</summary>
    public string ApiKey { get; set; } = apiKey;

    /// <summary>Gets or sets the required <c>x-api-version</c> (2025-09 scheme); null for the path-versioned scheme.</summary>
    public string? RequiredApiVersion { get; set; } = "2025-09";

    /// <summary>Gets or sets the status of a create whose username is taken (Alloy does not document it).</summary>
    public HttpStatusCode DuplicateStatus { get; set; } = HttpStatusCode.UnprocessableEntity;

    /// <summary>Gets or sets the lifetime written into tokens' <c>exp</c>.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets whether tokens are JWTs (true) or opaque strings without an <c>exp</c>.</summary>
    public bool IssuesJwts { get; set; } = true;

    /// <summary>Gets a snapshot of the users, in creation order.</summary>
    public IReadOnlyList<AlloySimulatedUser> Users
    {
        get
        {
            lock (_lock)
            {
                return [.. _users];
            }
        }
    }

    /// <summary>Gets a snapshot of every user's credentials, in creation order.</summary>
    public IReadOnlyList<AlloySimulatedCredential> Credentials
    {
        get
        {
            lock (_lock)
            {
                return [.. _credentials];
            }
        }
    }

    /// <summary>Gets how many tokens were issued.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Gets how many creates were refused because the username was taken.</summary>
    public int DuplicatesRefused => Volatile.Read(ref _duplicatesRefused);

    /// <summary>Adds a user directly, as if it had been created elsewhere (another instance, the Alloy console).</summary>
    public AlloySimulatedUser AddUser(string username, string? fullName = null) =>
        TryAdd(username, fullName) ?? throw new InvalidOperationException("The username is taken.");

    /// <summary>Removes a user directly, as <c>DELETE /users/{userId}</c> would (from the Alloy console, say); false when unknown.</summary>
    public bool RemoveUser(string username)
    {
        lock (_lock)
        {
            return _users.RemoveAll(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase)) > 0;
        }
    }

    /// <summary>
    /// Adds a credential for a user (by userId or username), as if the user had authorized the app in Alloy's modal. Alloy
    /// credentials have no state (no validity field is documented): a credential exists or not.
    /// </summary>
    public AlloySimulatedCredential AddCredential(string userIdOrUsername, string type, string? name = null)
    {
        var user = Find(userIdOrUsername) ?? throw new InvalidOperationException("There is no such user.");
        lock (_lock)
        {
            var credential = new AlloySimulatedCredential(
                Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), user.UserId, type, name ?? type + " account", _time.GetUtcNow());
            _credentials.Add(credential);
            return credential;
        }
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);

        // Route templates match with or without a trailing slash, so this serves both /users and /users/.
        routes.MapPost("/users", CreateAsync);
        routes.MapGet("/users", List);
        routes.MapGet("/users/{user}", Get);
        routes.MapGet("/users/{user}/token", Token);
        routes.MapGet("/credentials/users/{userId}", (HttpRequest request, string userId) => ListCredentials(request, userId, versioned: true));
        routes.MapGet("/users/{userId}/credentials", (HttpRequest request, string userId) => ListCredentials(request, userId, versioned: false));
        routes.MapDelete("/users/{userId}/credentials/{credentialId}", DeleteCredential);
        routes.MapGet("/connect", ConnectPage);
        routes.MapPost("/connect/authorize", AuthorizeAsync);
    }

    private IResult ListCredentials(HttpRequest request, string userId, bool versioned)
    {
        // Each scheme has its own path: the other one is an unknown route there.
        if (versioned != RequiredApiVersion is not null)
        {
            return Message(HttpStatusCode.NotFound, "Not found");
        }

        if (Guard(request) is { } refused)
        {
            return refused;
        }

        if (FindById(userId) is null)
        {
            return NotFound();
        }

        List<AlloyCredentialView> items;
        lock (_lock)
        {
            items = [.. _credentials.Where(c => c.UserId == userId).Select(c => new AlloyCredentialView(
                c.CredentialId, c.Type, versioned ? c.Name : null, Timestamp(c.CreatedAt), Timestamp(c.CreatedAt)))];
        }

        return TypedResults.Json(new AlloyCredentialList(items), AlloySimulationJsonContext.Default.AlloyCredentialList);
    }

    private IResult DeleteCredential(HttpRequest request, string userId, string credentialId)
    {
        if (Guard(request) is { } refused)
        {
            return refused;
        }

        if (FindById(userId) is null)
        {
            return NotFound();
        }

        lock (_lock)
        {
            if (_credentials.RemoveAll(c => c.UserId == userId && c.CredentialId == credentialId) == 0)
            {
                return Message(HttpStatusCode.NotFound, "Credential not found");
            }
        }

        return TypedResults.Json(new AlloySuccess(true), AlloySimulationJsonContext.Default.AlloySuccess);
    }

    private IResult ConnectPage(HttpRequest request)
    {
        var token = request.Query["token"].ToString();
        if (UserOfToken(token) is not { } user)
        {
            return Html("<p>This Alloy user token is unknown or has expired: ask ConnectIssuer for a new one.</p>", 400);
        }

        var options = string.Concat(SandboxApps.Select(app => $"<option value=\"{app}\">{app}</option>"));
        return Html($"""
            <p>Sandbox: here Alloy's modal would let user <code>{WebUtility.HtmlEncode(user.Username)}</code> sign in to an app.</p>
            <form method="post" action="{WebUtility.HtmlEncode(request.PathBase + "/connect/authorize")}">
              <input type="hidden" name="token" value="{WebUtility.HtmlEncode(token)}">
              <label>App <select name="app">{options}</select></label>
              <button type="submit">Authorize (adds a credential)</button>
            </form>
            """);
    }

    private async Task<IResult> AuthorizeAsync(HttpRequest request)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : null;
        var app = form?["app"].ToString();
        if (UserOfToken(form?["token"].ToString()) is not { } user || app is null || !SandboxApps.Contains(app))
        {
            return Html("<p>This Alloy user token is unknown or has expired, or the app is not offered.</p>", 400);
        }

        var credential = AddCredential(user.UserId, app);
        return Html($"""
            <p>Sandbox: <strong>{WebUtility.HtmlEncode(app)}</strong> is authorized: credential <code>{credential.CredentialId}</code>.
            Alloy's modal would now close; close this window and refresh the app's connections.</p>
            """);
    }

    private AlloySimulatedUser? UserOfToken(string? token)
    {
        lock (_lock)
        {
            return token is not null && _issuedTokens.TryGetValue(token, out var issued) && issued.ExpiresAt > _time.GetUtcNow()
                ? _users.Find(u => u.UserId == issued.UserId)
                : null;
        }
    }

    private static IResult Html(string body, int status = 200) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Alloy (sandbox)</title></head><body>{body}</body></html>",
        "text/html", Encoding.UTF8, status);

    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private AlloySimulatedUser? FindById(string userId)
    {
        lock (_lock)
        {
            return _users.Find(u => string.Equals(u.UserId, userId, StringComparison.Ordinal));
        }
    }

    private IResult List(HttpRequest request) =>
        Guard(request) as IResult
        ?? TypedResults.Json(new AlloyUserList([.. Users.Select(View)]), AlloySimulationJsonContext.Default.AlloyUserList);

    private IResult Get(HttpRequest request, string user)
    {
        if (Guard(request) is { } refused)
        {
            return refused;
        }

        return Find(user) is { } found ? TypedResults.Json(View(found), AlloySimulationJsonContext.Default.AlloyUserView) : NotFound();
    }

    private async Task<IResult> CreateAsync(HttpRequest request)
    {
        if (Guard(request) is { } refused)
        {
            return refused;
        }

        AlloyCreateUser? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, AlloySimulationJsonContext.Default.AlloyCreateUser, request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return Message(HttpStatusCode.BadRequest, "Invalid JSON body");
        }

        if (body?.Username is not { Length: > 0 } username || string.IsNullOrWhiteSpace(username))
        {
            return Message(HttpStatusCode.BadRequest, "username is required");
        }

        if (TryAdd(username, body.FullName) is not { } user)
        {
            Interlocked.Increment(ref _duplicatesRefused);
            return Message(DuplicateStatus, "A user with this username already exists");
        }

        return TypedResults.Json(new AlloyCreatedUser(user.UserId), AlloySimulationJsonContext.Default.AlloyCreatedUser);
    }

    private IResult Token(HttpRequest request, string user)
    {
        if (Guard(request) is { } refused)
        {
            return refused;
        }

        var query = request.Query["userId"];
        if (RequiredApiVersion is not null && query is not [{ Length: > 0 }])
        {
            return Message(HttpStatusCode.BadRequest, "userId is required");
        }

        if (Find(user) is not { } found)
        {
            return NotFound();
        }

        if (query is [{ Length: > 0 } other] && Find(other) != found)
        {
            return Message(HttpStatusCode.BadRequest, "userId does not match the path");
        }

        Interlocked.Increment(ref _tokensIssued);
        var token = IssuesJwts ? Jwt(found) : "opaque-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_lock)
        {
            _issuedTokens[token] = (found.UserId, _time.GetUtcNow().Add(TokenLifetime));
        }

        return TypedResults.Json(new AlloyToken(token), AlloySimulationJsonContext.Default.AlloyToken);
    }

    private JsonHttpResult<AlloyMessage>? Guard(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[7..]), Encoding.UTF8.GetBytes(ApiKey)))
        {
            return Message(HttpStatusCode.Unauthorized, "Unauthorized");
        }

        if (RequiredApiVersion is { } version && request.Headers["x-api-version"] != version)
        {
            return Message(HttpStatusCode.BadRequest, "x-api-version header is required");
        }

        return null;
    }

    private AlloySimulatedUser? TryAdd(string username, string? fullName)
    {
        lock (_lock)
        {
            if (_users.Any(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            var user = new AlloySimulatedUser(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), username, fullName);
            _users.Add(user);
            return user;
        }
    }

    // The path value may be the userId or the username (documented for GET /users/{userId} and the token).
    private AlloySimulatedUser? Find(string idOrUsername)
    {
        lock (_lock)
        {
            return _users.Find(u => string.Equals(u.UserId, idOrUsername, StringComparison.Ordinal))
                ?? _users.Find(u => string.Equals(u.Username, idOrUsername, StringComparison.OrdinalIgnoreCase));
        }
    }

    private string Jwt(AlloySimulatedUser user)
    {
        var now = _time.GetUtcNow();
        var header = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(
            new AlloyTokenClaims(user.UserId, user.Username, now.ToUnixTimeSeconds(), now.Add(TokenLifetime).ToUnixTimeSeconds()),
            AlloySimulationJsonContext.Default.AlloyTokenClaims));
        var signature = Base64Url(HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static AlloyUserView View(AlloySimulatedUser user) => new(user.UserId, user.Username, user.FullName);

    private static JsonHttpResult<AlloyMessage> NotFound() => Message(HttpStatusCode.NotFound, "User not found");

    private static JsonHttpResult<AlloyMessage> Message(HttpStatusCode status, string message) =>
        TypedResults.Json(new AlloyMessage(message), AlloySimulationJsonContext.Default.AlloyMessage, statusCode: (int)status);
}

internal sealed record AlloyCreateUser(string? Username, string? FullName);

internal sealed record AlloyCreatedUser(string UserId);

internal sealed record AlloyUserView(string UserId, string Username, string? FullName);

internal sealed record AlloyUserList(IReadOnlyList<AlloyUserView> Data);

internal sealed record AlloyToken(string Token);

internal sealed record AlloyTokenClaims(string UserId, string Username, long Iat, long Exp);

internal sealed record AlloyMessage(string Message);

internal sealed record AlloyCredentialView(string CredentialId, string Type, string? Name, string CreatedAt, string UpdatedAt);

internal sealed record AlloyCredentialList(IReadOnlyList<AlloyCredentialView> Data);

internal sealed record AlloySuccess(bool Success);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlloyCreateUser))]
[JsonSerializable(typeof(AlloyCreatedUser))]
[JsonSerializable(typeof(AlloyUserView))]
[JsonSerializable(typeof(AlloyUserList))]
[JsonSerializable(typeof(AlloyToken))]
[JsonSerializable(typeof(AlloyTokenClaims))]
[JsonSerializable(typeof(AlloyMessage))]
[JsonSerializable(typeof(AlloyCredentialList))]
[JsonSerializable(typeof(AlloySuccess))]
internal sealed partial class AlloySimulationJsonContext : JsonSerializerContext;
