using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.IntegrationApp;

/// <summary>
/// Typed client for the Membrane (Integration.app) REST API at <c>IntegrationApp:ApiBaseUrl</c>, called with a short-lived
/// customer token: Membrane then only shows that customer's connections. The token is minted per attempt by
/// <see cref="MembraneCredentials"/> from the claims the request carries, so the call goes through the same handlers as
/// every vendor's (<see cref="VendorServiceCollectionExtensions.AddVendorClient"/>: deadline, 1 MiB body bound, one retry of
/// idempotent calls, and after a 401 the signing secret read again and the token minted again once).
/// Registered with <c>AddHttpClient</c>; do not capture it in a singleton.
/// </summary>
public sealed class MembraneClient(HttpClient httpClient, IOptions<IntegrationAppOptions> options)
{
    /// <summary>Pages of a listing followed at most; a longer listing ends there (each page is bounded by the 1 MiB cap).</summary>
    public const int MaxPages = 20;

    public static string Vendor => IntegrationAppVendor.Names.Name;

    /// <summary>
    /// Lists the customer's connections (<c>GET /connections?includeArchived=false</c>, following <c>cursor</c> up to
    /// <see cref="MaxPages"/> pages) and leaves out archived ones that still come.
    /// </summary>
    /// <param name="customerClaims">The claims of the customer token (those of <c>integration-app/token</c>).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="VendorApiException">Membrane failed, throttled, timed out or answered something unreadable.</exception>
    public async Task<IReadOnlyList<MembraneConnection>> ListConnectionsAsync(IDictionary<string, object> customerClaims, CancellationToken cancellationToken = default)
    {
        List<MembraneConnection> connections = [];
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var path = "connections?includeArchived=false" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var request = Request(HttpMethod.Get, path, customerClaims).Idempotent();
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, MembraneJsonContext.Default.MembraneConnectionPage);
            var items = body.Items ?? throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
            connections.AddRange(items.Where(c => c is { Id.Length: > 0 } && !c.IsArchived));
            if (string.IsNullOrEmpty(body.Cursor) || body.Cursor == cursor || items.Count == 0)
            {
                break;
            }

            cursor = body.Cursor;
        }

        return connections;
    }

    /// <summary>Deletes (archives) a connection of the token's customer (<c>DELETE /connections/{id}</c>); a 404 means it is gone already.</summary>
    /// <exception cref="VendorApiException">Membrane failed.</exception>
    public async Task DeleteConnectionAsync(IDictionary<string, object> customerClaims, string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);
        using var request = Request(HttpMethod.Delete, "connections/" + Uri.EscapeDataString(connectionId), customerClaims)
            .Idempotent().Expecting(HttpStatusCode.NotFound);
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureVendorSuccess(Vendor);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path, IDictionary<string, object> customerClaims)
    {
        var request = new HttpRequestMessage(method, new Uri(VendorBaseUrl.WithTrailingSlash(options.Value.EffectiveApiBaseUrl), path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Options.Set(MembraneCredentials.CustomerClaimsKey, customerClaims);
        return request;
    }
}

/// <summary>
/// Membrane's credentials: <c>Authorization: Bearer</c> a customer token minted with the workspace secret (or private key)
/// for the claims the request carries (<see cref="CustomerClaimsKey"/>), living <see cref="TokenLifetime"/>. Minted again on
/// every attempt, so the re-read after a 401 signs with the new secret. A request without claims is refused: this client
/// never sends an admin token.
/// </summary>
public sealed class MembraneCredentials(
    IntegrationAppSigner signer, SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
    : VendorCredentialsHandler(secrets, options, logger)
{
    /// <summary>How long the customer token of one call lives: the call's deadline is far shorter.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    internal static readonly HttpRequestOptionsKey<IDictionary<string, object>> CustomerClaimsKey = new("ConnectIssuer.Membrane.CustomerClaims");

    protected override string Vendor => MembraneClient.Vendor;

    protected override IReadOnlyList<string> SecretsToReRead => [signer.SecretName];

    protected override async ValueTask AddCredentialsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(CustomerClaimsKey, out var claims) || !claims.ContainsKey("id"))
        {
            throw new InvalidOperationException("A Membrane call needs the customer's claims.");
        }

        var secret = await ReadSecretAsync(request, signer.SecretName, cancellationToken);
        IssuedToken token;
        try
        {
            token = signer.Mint(secret, claims, TokenLifetime);
        }
        catch (ApiProblemException exception) when (exception.Code == ProblemCodes.VendorNotConfigured)
        {
            throw new VendorApiException(Vendor, VendorFailure.NotConfigured, message: exception.Message);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
    }
}

/// <summary>A page of <c>GET /connections</c>: <c>{ "items": [...], "cursor": "..." }</c>.</summary>
public sealed record MembraneConnectionPage(IReadOnlyList<MembraneConnection>? Items, string? Cursor);

/// <summary>The fields of a Membrane connection this service reads (docs/vendors/integration-app.md).</summary>
public sealed record MembraneConnection(string? Id, string? Name, string? IntegrationId)
{
    /// <summary>Gets the nested <c>integration</c>, which may be missing from list items.</summary>
    public MembraneIntegrationRef? Integration { get; init; }

    /// <summary>Gets <c>disconnected</c>: the connection needs re-authentication.</summary>
    public bool? Disconnected { get; init; }

    /// <summary>Gets <c>state</c>: <c>BUILDING</c>, <c>CLIENT_ACTION_REQUIRED</c>, <c>CONFIGURATION_ERROR</c>, <c>SETUP_FAILED</c>, <c>READY</c>, ...</summary>
    public string? State { get; init; }

    /// <summary>Gets <c>clientAction</c>: something the customer must do; its text is never echoed.</summary>
    public JsonElement? ClientAction { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets <c>archivedAt</c>: set for an archived (deleted) connection.</summary>
    public JsonElement? ArchivedAt { get; init; }

    internal bool IsArchived => ArchivedAt is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };

    internal bool HasClientAction => ClientAction is { ValueKind: JsonValueKind.Object };
}

/// <summary>The <c>integration</c> of a connection: its key.</summary>
public sealed record MembraneIntegrationRef(string? Key);

/// <summary>Membrane's wire format: camelCase.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MembraneConnectionPage))]
internal sealed partial class MembraneJsonContext : JsonSerializerContext;
