using System.Text.Json.Serialization;

namespace ConnectIssuer.Alloy;

/// <summary><c>POST /users</c> body. <c>fullName</c> is optional and omitted when the caller has no name.</summary>
internal sealed record AlloyCreateUserRequest(string Username, string? FullName);

/// <summary><c>POST /users</c> answer: <c>{ "userId": "…" }</c>.</summary>
internal sealed record AlloyCreateUserResponse(string? UserId);

/// <summary><c>GET /users/{userId}</c> answer: <c>{ "userId", "username", "fullName" }</c>.</summary>
internal sealed record AlloyUserResponse(string? UserId, string? Username);

/// <summary><c>GET /users/{userId}/token</c> answer: <c>{ "token": "…" }</c>.</summary>
internal sealed record AlloyTokenResponse(string? Token);

/// <summary>The credentials of a user: <c>{ "data": [ { "credentialId", "type", "name", "createdAt" } ] }</c>.</summary>
internal sealed record AlloyCredentialList(IReadOnlyList<AlloyCredential>? Data);

/// <summary>One credential of a user. Alloy documents no validity field.</summary>
public sealed record AlloyCredential(string? CredentialId, string? Type, string? Name, DateTimeOffset? CreatedAt);

/// <summary>Alloy's error body as far as it is known: at least a <c>message</c>.</summary>
internal sealed record AlloyError(string? Message);

/// <summary>Alloy's wire format: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlloyCreateUserRequest))]
[JsonSerializable(typeof(AlloyCreateUserResponse))]
[JsonSerializable(typeof(AlloyUserResponse))]
[JsonSerializable(typeof(AlloyTokenResponse))]
[JsonSerializable(typeof(AlloyError))]
[JsonSerializable(typeof(AlloyCredentialList))]
internal sealed partial class AlloyJsonContext : JsonSerializerContext;

/// <summary>A user token from Alloy.</summary>
/// <param name="Token">The JWT for <c>Alloy.setToken</c>.</param>
/// <param name="ExpiresAt">The token's <c>exp</c>, read without validation; informational only.</param>
public sealed record AlloyUserToken(string Token, DateTimeOffset? ExpiresAt);

/// <summary>The outcome of asking Alloy to create a user.</summary>
/// <param name="Created">Whether Alloy created it.</param>
/// <param name="UserId">The new user's id, when created and named.</param>
/// <param name="StatusCode">Alloy's status: a success, or a refusal that may mean the username is taken (400, 409, 422).</param>
public sealed record AlloyCreateUserOutcome(bool Created, string? UserId, System.Net.HttpStatusCode StatusCode);
