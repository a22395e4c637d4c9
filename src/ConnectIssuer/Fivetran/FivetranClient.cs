using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// Typed client for the Fivetran REST API (<c>Fivetran:BaseUrl</c> + <c>/v1/...</c>): Basic auth from the secrets
/// <c>FivetranApiKey</c> and <c>FivetranApiSecret</c> and <c>Accept: application/json;version=2</c> (added by
/// <see cref="FivetranCredentials"/>); the deadline, the body bound and the retries of idempotent calls come from the
/// HttpClient's handlers (<see cref="VendorServiceCollectionExtensions.AddVendorClient"/>).
/// Registered with <c>AddHttpClient</c>; do not capture it in a singleton.
/// </summary>
public sealed class FivetranClient(HttpClient httpClient, IOptions<FivetranOptions> options, TimeProvider timeProvider)
{
    public static string Vendor => FivetranVendor.Names.Name;

    /// <summary>Pages followed when looking a schema up; the schema filter leaves at most one item, so this only bounds a misbehaving answer.</summary>
    private const int MaxLookupPages = 20;

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
            using var response = await SendAsync(Request(HttpMethod.Get, path).Idempotent(), cancellationToken);
            var data = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, FivetranJsonContext.Default.FivetranEnvelopeFivetranConnectionPage).Data
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
        using var response = await SendAsync(Request(HttpMethod.Post, "v1/connections").WithJson(body), cancellationToken);
        var connection = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, FivetranJsonContext.Default.FivetranEnvelopeFivetranConnection).Data;
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
        using var response = await SendAsync(
            Request(HttpMethod.Post, $"v1/connections/{Uri.EscapeDataString(connectionId)}/connect-card").WithJson(body).Idempotent(), cancellationToken);
        var data = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, FivetranJsonContext.Default.FivetranEnvelopeFivetranConnectCardData).Data;
        return ToLink(data?.ConnectCard, response.StatusCode);
    }

    /// <summary>Reads a connection (<c>GET /v1/connections/{id}</c>).</summary>
    /// <returns>The connection, or null when Fivetran does not know it (404).</returns>
    /// <exception cref="VendorApiException">Fivetran failed or answered something unreadable.</exception>
    public async Task<FivetranConnection?> GetConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);

        using var response = await SendAsync(
            Request(HttpMethod.Get, $"v1/connections/{Uri.EscapeDataString(connectionId)}").Idempotent().Expecting(HttpStatusCode.NotFound), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var connection = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, FivetranJsonContext.Default.FivetranEnvelopeFivetranConnection).Data;
        return connection is { Id.Length: > 0 } ? connection : throw Unreadable(response.StatusCode);
    }

    /// <summary>Deletes a connection (<c>DELETE /v1/connections/{id}</c>); a 404 means it is gone already, which is what was asked.</summary>
    /// <exception cref="VendorApiException">Fivetran failed.</exception>
    public async Task DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);

        // Idempotent: repeating a delete after a 502/503/504 deletes nothing else (the second answer may be a 404).
        using var response = await SendAsync(
            Request(HttpMethod.Delete, $"v1/connections/{Uri.EscapeDataString(connectionId)}").Idempotent().Expecting(HttpStatusCode.NotFound), cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureVendorSuccess(Vendor);
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

    /// <summary>A request to <c>Fivetran:BaseUrl</c> + <paramref name="path"/>; <see cref="FivetranCredentials"/> adds the auth and Accept headers.</summary>
    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var baseUrl = options.Value.BaseUrl ?? throw VendorApiException.NotConfigured(Vendor, "the setting Fivetran:BaseUrl");
        return new HttpRequestMessage(method, new Uri(VendorBaseUrl.WithTrailingSlash(baseUrl), path));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            return await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
    }

    private static VendorApiException Unreadable(HttpStatusCode status) => new(Vendor, VendorFailure.Unreadable, status);
}

/// <summary>Fivetran's credentials: Basic <c>FivetranApiKey:FivetranApiSecret</c>, and <c>Accept: application/json;version=2</c>.</summary>
public sealed class FivetranCredentials(SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
    : VendorCredentialsHandler(secrets, options, logger)
{
    protected override string Vendor => FivetranClient.Vendor;

    protected override IReadOnlyList<string> SecretsToReRead { get; } = [SecretNames.FivetranApiKey, SecretNames.FivetranApiSecret];

    protected override async ValueTask AddCredentialsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var apiKey = await ReadSecretAsync(request, SecretNames.FivetranApiKey, cancellationToken);
        var apiSecret = await ReadSecretAsync(request, SecretNames.FivetranApiSecret, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{apiKey}:{apiSecret}"))));

        // Sent verbatim: the typed header API would re-format it as "application/json; version=2".
        request.Headers.Remove("Accept");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;version=2");
    }
}
