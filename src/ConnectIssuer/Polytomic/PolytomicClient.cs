using System.Net;
using System.Net.Http.Headers;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Polytomic;

/// <summary>Why Polytomic refused to start a Connect session with a conflict.</summary>
internal enum PolytomicConflict
{
    None,

    /// <summary>Another connection of the organization already has the name.</summary>
    Name,

    /// <summary>A request with the same <c>Idempotency-Key</c> is still being processed.</summary>
    IdempotencyInProgress,
}

/// <summary>
/// Typed client for the Polytomic API (<c>Polytomic:BaseUrl</c>, <c>Authorization: Bearer &lt;PolytomicApiKey&gt;</c>,
/// <c>X-Polytomic-Version</c>). The key (<see cref="PolytomicCredentials"/>), the deadline, the body bound and the
/// retries of idempotent calls come from the HttpClient's handlers (<see cref="VendorServiceCollectionExtensions.AddVendorClient"/>).
/// Registered with <c>AddHttpClient</c>; do not cache it in a singleton.
/// </summary>
public sealed partial class PolytomicClient(HttpClient httpClient, IOptions<PolytomicOptions> options, ILogger<PolytomicClient> logger)
{
    public static string Vendor => PolytomicVendor.Names.Name;

    /// <summary>The one detail for a connection that does not exist or is not the caller's customer's.</summary>
    internal const string ConnectionNotFound = "No such Polytomic connection.";

    private const string VersionHeader = "X-Polytomic-Version";

    private static readonly string[] TakenWords = ["unique", "exist", "taken", "duplicate", "already", "in use", "conflict"];

    /// <summary>Reads one connection (<c>GET /api/connections/{id}</c>).</summary>
    /// <returns>The connection, or null when Polytomic does not know it.</returns>
    /// <exception cref="VendorApiException">Polytomic failed, throttled, timed out or answered something unreadable.</exception>
    public async Task<PolytomicConnection?> GetConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);
        var uri = Endpoint("api/connections/" + Uri.EscapeDataString(connectionId));
        using var request = Request(HttpMethod.Get, uri, null).Idempotent();
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var envelope = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, PolytomicJsonContext.Default.PolytomicConnectionEnvelope);
        return envelope.Data ?? throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
    }

    /// <summary>
    /// Lists every connection of the organization (<c>GET /api/connections</c>; Polytomic documents no paging or filter). The
    /// answer is bounded by the 1 MiB body cap: a larger organization makes the listing fail as unreadable.
    /// </summary>
    /// <exception cref="VendorApiException">Polytomic failed, throttled, timed out or answered something unreadable.</exception>
    public async Task<IReadOnlyList<PolytomicConnection>> ListConnectionsAsync(CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, Endpoint("api/connections"), null).Idempotent();
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var envelope = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, PolytomicJsonContext.Default.PolytomicConnectionListEnvelope);
        return envelope.Data ?? throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
    }

    /// <summary>Deletes a connection (<c>DELETE /api/connections/{id}</c>); a 404 means it is gone already, which is what was asked.</summary>
    /// <exception cref="VendorApiException">Polytomic failed.</exception>
    public async Task DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionId);
        using var request = Request(HttpMethod.Delete, Endpoint("api/connections/" + Uri.EscapeDataString(connectionId)), null)
            .Idempotent().Expecting(HttpStatusCode.NotFound);
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureVendorSuccess(Vendor);
        }
    }

    /// <summary>Starts a Connect session (<c>POST /api/connections/connect/</c>).</summary>
    /// <param name="body">The session to start.</param>
    /// <param name="idempotencyKey">Sent as <c>Idempotency-Key</c>; with it, a failed attempt may be repeated because Polytomic replays.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session, with a link that passed <see cref="VendorLink"/>.</returns>
    /// <exception cref="VendorApiException">
    /// <see cref="VendorFailure.Conflict"/> when the name is taken or the same key is still in flight; <see cref="VendorFailure.NotFound"/>
    /// when the connection to update is gone; otherwise Polytomic failed, throttled, timed out or answered something unreadable.
    /// </exception>
    public async Task<PolytomicConnectSession> StartSessionAsync(
        PolytomicConnectBody body, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var uri = Endpoint("api/connections/connect/");
        var json = JsonSerializer.SerializeToUtf8Bytes(body, PolytomicJsonContext.Default.PolytomicConnectBody);
        using var request = Request(HttpMethod.Post, uri, idempotencyKey).WithJson(json).Idempotent(idempotencyKey is not null);
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

        // The connection was deleted between the lookup and this call: the same answer as any unknown connection.
        if (response.StatusCode == HttpStatusCode.NotFound && body.Connection is not null)
        {
            throw VendorApiException.NotFound(Vendor, ConnectionNotFound);
        }

        switch (ClassifyConflict(response.StatusCode, response.TryReadVendorJson(PolytomicJsonContext.Default.PolytomicError)))
        {
            case PolytomicConflict.Name:
                LogNameConflict(logger);
                throw VendorApiException.Conflict(
                    Vendor,
                    response.StatusCode,
                    "A Polytomic connection with this label already exists for the customer: reconnect it (send its connectionId) or use another label.");
            case PolytomicConflict.IdempotencyInProgress:
                throw VendorApiException.Conflict(Vendor, response.StatusCode, "A request with the same Idempotency-Key is still being processed; retry it shortly.");
        }

        // The browser is sent to this link: the same check as Fivetran's Connect Card (https, http only on loopback).
        var session = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, PolytomicJsonContext.Default.PolytomicConnectEnvelope).Data;
        if (session is null || !VendorLink.TryParse(session.RedirectUrl, out var link))
        {
            throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
        }

        return new PolytomicConnectSession(link, string.IsNullOrEmpty(session.Token) ? null : session.Token);
    }

    /// <summary>
    /// Which conflict, if any, an answer to a Connect call means. A taken name is documented only as a
    /// constructed 422 example (<c>name: must be unique</c>); a 409 may also mean a taken name, or a
    /// concurrent request with the same idempotency key. Both error shapes are read.
    /// </summary>
    internal static PolytomicConflict ClassifyConflict(HttpStatusCode status, PolytomicError? error)
    {
        var text = error?.Text ?? "";
        return status switch
        {
            HttpStatusCode.Conflict when text.Contains("idempoten", StringComparison.Ordinal)
                || text.Contains("in progress", StringComparison.Ordinal) || text.Contains("in-progress", StringComparison.Ordinal) => PolytomicConflict.IdempotencyInProgress,
            HttpStatusCode.Conflict => PolytomicConflict.Name,
            HttpStatusCode.UnprocessableEntity when text.Contains("name", StringComparison.Ordinal)
                && TakenWords.Any(w => text.Contains(w, StringComparison.Ordinal)) => PolytomicConflict.Name,
            _ => PolytomicConflict.None,
        };
    }

    private Uri Endpoint(string path) => new(VendorBaseUrl.WithTrailingSlash(options.Value.EffectiveBaseUrl), path);

    /// <summary>A request with Polytomic's headers; <see cref="PolytomicCredentials"/> adds the key.</summary>
    private HttpRequestMessage Request(HttpMethod method, Uri uri, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation(VersionHeader, options.Value.EffectiveApiVersion);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(PolytomicIdempotencyKey.HeaderName, idempotencyKey);
        }

        return request;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Polytomic refused a Connect session: the connection name is taken")]
    private static partial void LogNameConflict(ILogger logger);
}

/// <summary>Polytomic's credentials: <c>Authorization: Bearer &lt;PolytomicApiKey&gt;</c>.</summary>
public sealed class PolytomicCredentials(SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
    : BearerKeyCredentials(PolytomicClient.Vendor, SecretNames.PolytomicApiKey, secrets, options, logger);
