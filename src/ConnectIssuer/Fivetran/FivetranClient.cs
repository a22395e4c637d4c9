using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// Typed client for the Fivetran REST API (<c>Fivetran:BaseUrl</c> + <c>/v1/...</c>): Basic auth from the secrets
/// <c>FivetranApiKey</c> and <c>FivetranApiSecret</c>, <c>Accept: application/json;version=2</c>, every call through
/// <see cref="VendorTransport"/> (deadline, bounded body, 401 re-read, one retry of idempotent calls only).
/// Registered with <c>AddHttpClient</c>; do not capture it in a singleton.
/// </summary>
public sealed class FivetranClient(HttpClient httpClient, VendorTransport transport, IOptions<FivetranOptions> options, TimeProvider timeProvider)
{
    public static string Vendor => FivetranVendor.Names.Name;

    /// <summary>Pages followed when looking a schema up; the schema filter leaves at most one item, so this only bounds a misbehaving answer.</summary>
    private const int MaxLookupPages = 20;

    private static readonly string[] Secrets = [SecretNames.FivetranApiKey, SecretNames.FivetranApiSecret];

    /// <summary>Finds the connection named <paramref name="schema"/> in <paramref name="groupId"/> (<c>GET /v1/connections?group_id=&amp;schema=</c>, exact match).</summary>
    /// <returns>The connection, or null when the group has none with that schema.</returns>
    /// <exception cref="VendorApiException">Fivetran failed or answered something unreadable.</exception>
    public async Task<FivetranConnection?> FindConnectionAsync(string groupId, string schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);

        string? cursor = null;
        for (var page = 0; page < MaxLookupPages; page++)
        {
            var path = $"v1/connections?group_id={Uri.EscapeDataString(groupId)}&schema={Uri.EscapeDataString(schema)}"
                + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken);
            var data = response.EnsureSuccess().ReadJson(FivetranJsonContext.Default.FivetranEnvelopeFivetranConnectionPage).Data
                ?? throw Unreadable(response.StatusCode);

            // The filter is exact on Fivetran's side; comparing again keeps a lenient or partial answer from matching.
            var match = data.Items?.FirstOrDefault(c =>
                string.Equals(c.Schema, schema, StringComparison.Ordinal) && (c.GroupId is null || string.Equals(c.GroupId, groupId, StringComparison.Ordinal)));
            if (match is not null)
            {
                return match.Id is { Length: > 0 } ? match : throw Unreadable(response.StatusCode);
            }

            if (string.IsNullOrEmpty(data.NextCursor) || data.NextCursor == cursor)
            {
                return null;
            }

            cursor = data.NextCursor;
        }

        return null;
    }

    /// <summary>
    /// Creates a connection with <c>run_setup_tests: false</c> and a <c>connect_card_config</c> (<c>POST /v1/connections</c>).
    /// Never retried: a create that failed in an unknown way is not repeated blindly.
    /// </summary>
    /// <returns>The new connection; its <see cref="FivetranConnection.ConnectCard"/> is set when Fivetran returned one.</returns>
    /// <exception cref="VendorApiException">Any failure, including the 4xx of a schema that now exists (the caller looks up again).</exception>
    public async Task<FivetranConnection> CreateConnectionAsync(FivetranCreateConnectionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);

        var body = JsonSerializer.SerializeToUtf8Bytes(request, FivetranJsonContext.Default.FivetranCreateConnectionRequest);
        var response = await SendAsync(HttpMethod.Post, "v1/connections", body, idempotent: false, cancellationToken);
        var connection = response.EnsureSuccess().ReadJson(FivetranJsonContext.Default.FivetranEnvelopeFivetranConnection).Data;
        return connection is { Id.Length: > 0 } ? connection : throw Unreadable(response.StatusCode);
    }

    /// <summary>Asks for a Connect Card for an existing connection (<c>POST /v1/connections/{id}/connect-card</c>).</summary>
    /// <exception cref="VendorApiException">Fivetran failed, or answered without a usable link.</exception>
    public async Task<FivetranConnectCardLink> CreateConnectCardAsync(string connectionId, FivetranConnectCardConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);
        ArgumentNullException.ThrowIfNull(config);

        // Minting a card creates nothing that lasts (each card replaces the last), so one retry after a 502/503/504 is safe.
        var body = JsonSerializer.SerializeToUtf8Bytes(new FivetranConnectCardBody(config), FivetranJsonContext.Default.FivetranConnectCardBody);
        var response = await SendAsync(
            HttpMethod.Post, $"v1/connections/{Uri.EscapeDataString(connectionId)}/connect-card", body, idempotent: true, cancellationToken);
        var data = response.EnsureSuccess().ReadJson(FivetranJsonContext.Default.FivetranEnvelopeFivetranConnectCardData).Data;
        return ToLink(data?.ConnectCard, response.StatusCode);
    }

    /// <summary>Reads a connection (<c>GET /v1/connections/{id}</c>).</summary>
    /// <returns>The connection, or null when Fivetran does not know it (404).</returns>
    /// <exception cref="VendorApiException">Fivetran failed or answered something unreadable.</exception>
    public async Task<FivetranConnection?> GetConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);

        var response = await SendAsync(
            HttpMethod.Get, $"v1/connections/{Uri.EscapeDataString(connectionId)}", null, idempotent: true, cancellationToken, expected: HttpStatusCode.NotFound);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var connection = response.EnsureSuccess().ReadJson(FivetranJsonContext.Default.FivetranEnvelopeFivetranConnection).Data;
        return connection is { Id.Length: > 0 } ? connection : throw Unreadable(response.StatusCode);
    }

    /// <summary>Deletes a connection (<c>DELETE /v1/connections/{id}</c>); a 404 means it is gone already, which is what was asked.</summary>
    /// <exception cref="VendorApiException">Fivetran failed.</exception>
    public async Task DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);

        // Idempotent: repeating a delete after a 502/503/504 deletes nothing else (the second answer may be a 404).
        var response = await SendAsync(
            HttpMethod.Delete, $"v1/connections/{Uri.EscapeDataString(connectionId)}", null, idempotent: true, cancellationToken, expected: HttpStatusCode.NotFound);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccess();
        }
    }

    /// <summary>
    /// Turns a Connect Card into the link the SPA opens. The URI must pass <see cref="VendorLink"/> (absolute https, http
    /// only on loopback, no user info): the browser is sent there, so a vendor answer with anything else is treated as unreadable.
    /// </summary>
    internal FivetranConnectCardLink ToLink(FivetranConnectCard? card, HttpStatusCode status)
    {
        if (card is not { Token.Length: > 0, Uri.Length: > 0 } || !VendorLink.TryParse(card.Uri, out var uri))
        {
            throw Unreadable(status);
        }

        return new FivetranConnectCardLink(uri, card.Token, ExpiryOf(card.Token));
    }

    /// <summary>
    /// The <c>exp</c> of the Connect Card JWT, read without verification (it is Fivetran's token, only reported to the SPA);
    /// null when the token is not a JWT with a plausible <c>exp</c>.
    /// </summary>
    internal DateTimeOffset? ExpiryOf(string token)
    {
        // A Connect Card lives one day; an exp in the past or weeks away is not believable, so it is not reported.
        var now = timeProvider.GetUtcNow();
        return UnverifiedJwt.TryReadExpiry(token) is { } expiresAt && expiresAt > now && expiresAt < now.AddDays(30) ? expiresAt : null;
    }

    private Task<VendorResponse> SendAsync(
        HttpMethod method, string path, byte[]? body, bool idempotent, CancellationToken cancellationToken, HttpStatusCode? expected = null)
    {
        var baseUrl = options.Value.BaseUrl ?? throw ApiProblemException.VendorNotConfigured(Vendor, "the setting Fivetran:BaseUrl");
        var uri = new Uri(VendorBaseUrl.WithTrailingSlash(baseUrl), path);
        return transport.SendAsync(
            httpClient,
            new VendorCall(Vendor, Secrets, secrets => CreateRequest(method, uri, body, secrets[0], secrets[1]), idempotent) { ExpectedStatus = expected },
            cancellationToken);
    }

    private static HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, byte[]? body, string apiKey, string apiSecret)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{apiKey}:{apiSecret}"))));

        // Sent verbatim: the typed header API would re-format it as "application/json; version=2".
        request.Headers.TryAddWithoutValidation("Accept", "application/json;version=2");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    private static VendorApiException Unreadable(HttpStatusCode status) => new(Vendor, VendorFailure.Unreadable, status);
}
