using System.Net;
using System.Net.Http.Headers;
using ConnectIssuer.Secrets;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>
/// Typed client for the three Alloy Embedded user calls this service needs (look up, create, token). Works with both documented schemes:
/// <c>https://production.runalloy.com</c> with <c>x-api-version</c> (2025-09), and a path-versioned root such as
/// <c>https://embedded.runalloy.com/2024-03</c> without the header. The HttpClient's handlers
/// (<see cref="VendorServiceCollectionExtensions.AddVendorClient"/>) add the key, the deadline, the body bound and the
/// retries of idempotent calls. Registered with <c>AddHttpClient</c>; transient.
/// </summary>
public sealed class AlloyClient(HttpClient httpClient, IOptions<AlloyOptions> options)
{
    /// <summary>The vendor's name in messages and logs.</summary>
    public static string Vendor => AlloyVendor.Names.Name;

    /// <summary>Looks a user up by its username (<c>GET /users/{username}</c>; Alloy accepts the username in place of the id).</summary>
    /// <returns>The user's id, or null when Alloy says the user does not exist.</returns>
    /// <exception cref="VendorApiException">
    /// Any other failure, including an answer that names another username (the path slot also takes user ids, so a
    /// user found by id instead of by name is never taken for ours); <see cref="VendorFailure.NotConfigured"/> without a base URL or API key.
    /// </exception>
    public async Task<string?> FindUserIdAsync(string username, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        var settings = options.Value;
        var uri = Resolve(settings, "users/" + Uri.EscapeDataString(username));
        using var response = await GetKnownUserAsync(settings, uri, cancellationToken);
        if (response is null)
        {
            return null;
        }

        var body = response.ReadVendorJson(Vendor, AlloyJsonContext.Default.AlloyUserResponse);
        if (string.IsNullOrEmpty(body.UserId) || !string.Equals(body.Username, username, StringComparison.OrdinalIgnoreCase))
        {
            throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
        }

        return body.UserId;
    }

    /// <summary>Asks Alloy for a user token, naming the user by its Alloy user id.</summary>
    /// <returns>The token, or null when Alloy says the user does not exist (e.g. it was deleted).</returns>
    /// <exception cref="VendorApiException">Any other failure (<see cref="VendorFailure.NotConfigured"/> without a base URL or API key).</exception>
    public async Task<AlloyUserToken?> GetUserTokenAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var settings = options.Value;
        var user = Uri.EscapeDataString(userId);

        // The 2025-09 reference marks the userId query parameter as required (its example repeats the path value);
        // the path-versioned reference has no such parameter.
        var uri = Resolve(settings, settings.SendsVersionHeader ? $"users/{user}/token?userId={user}" : $"users/{user}/token");
        using var response = await GetKnownUserAsync(settings, uri, cancellationToken);
        if (response is null)
        {
            return null;
        }

        var body = response.ReadVendorJson(Vendor, AlloyJsonContext.Default.AlloyTokenResponse);
        if (string.IsNullOrEmpty(body.Token))
        {
            throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
        }

        return new AlloyUserToken(body.Token, UnverifiedJwt.TryReadExpiry(body.Token));
    }

    /// <summary>Asks Alloy to create a user. Never repeated automatically: a create is not idempotent.</summary>
    /// <returns>
    /// Created, or not created with the refusing status when Alloy answers 400, 409 or 422: the shapes a taken
    /// username may have (Alloy does not document it), for the caller to settle by asking for the token again.
    /// </returns>
    /// <exception cref="VendorApiException">Any other failure (<see cref="VendorFailure.NotConfigured"/> without a base URL or API key).</exception>
    public async Task<AlloyCreateUserOutcome> CreateUserAsync(string username, string? fullName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        var settings = options.Value;

        // The 2025-09 reference writes the path with a trailing slash (/users/), the path-versioned one without.
        var uri = Resolve(settings, settings.SendsVersionHeader ? "users/" : "users");
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new AlloyCreateUserRequest(username, string.IsNullOrWhiteSpace(fullName) ? null : fullName), AlloyJsonContext.Default.AlloyCreateUserRequest);
        using var request = CreateRequest(settings, HttpMethod.Post, uri).WithJson(json);
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
        {
            return new AlloyCreateUserOutcome(false, null, response.StatusCode);
        }

        var body = response.EnsureVendorSuccess(Vendor).ReadVendorJson(Vendor, AlloyJsonContext.Default.AlloyCreateUserResponse);
        return new AlloyCreateUserOutcome(true, string.IsNullOrEmpty(body.UserId) ? null : body.UserId, response.StatusCode);
    }

    /// <summary>
    /// Lists a user's credentials: <c>GET /credentials/users/{userId}</c> in the 2025-09 scheme (the path order differs),
    /// <c>GET /users/{userId}/credentials</c> under a path-versioned root.
    /// </summary>
    /// <returns>The credentials, or null when Alloy says the user does not exist.</returns>
    /// <exception cref="VendorApiException">Any other failure.</exception>
    public async Task<IReadOnlyList<AlloyCredential>?> ListCredentialsAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var settings = options.Value;
        var user = Uri.EscapeDataString(userId);
        var uri = Resolve(settings, settings.SendsVersionHeader ? $"credentials/users/{user}" : $"users/{user}/credentials");
        using var response = await GetKnownUserAsync(settings, uri, cancellationToken);
        if (response is null)
        {
            return null;
        }

        return response.ReadVendorJson(Vendor, AlloyJsonContext.Default.AlloyCredentialList).Data
            ?? throw new VendorApiException(Vendor, VendorFailure.Unreadable, response.StatusCode);
    }

    /// <summary>Deletes one credential of a user (<c>DELETE /users/{userId}/credentials/{credentialId}</c>); a 404 means it is gone already.</summary>
    /// <exception cref="VendorApiException">Any other failure.</exception>
    public async Task DeleteCredentialAsync(string userId, string credentialId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(credentialId);
        var settings = options.Value;
        var uri = Resolve(settings, $"users/{Uri.EscapeDataString(userId)}/credentials/{Uri.EscapeDataString(credentialId)}");
        using var request = CreateRequest(settings, HttpMethod.Delete, uri).Idempotent().Expecting(HttpStatusCode.NotFound);
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureVendorSuccess(Vendor);
        }
    }

    private static Uri Resolve(AlloyOptions settings, string relative) =>
        settings.BaseUrl is { } baseUrl
            ? new Uri(VendorBaseUrl.WithTrailingSlash(baseUrl), relative)
            : throw VendorApiException.NotConfigured(Vendor, "the setting Alloy:BaseUrl");

    /// <summary>A request with Alloy's headers; <see cref="AlloyCredentials"/> adds the key.</summary>
    private static HttpRequestMessage CreateRequest(AlloyOptions settings, HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (settings.SendsVersionHeader)
        {
            request.Headers.Add("x-api-version", settings.ApiVersion);
        }

        return request;
    }

    // 404 is the documented way to say "no such user". A 400/422 whose message says so is read the same way,
    // because Alloy's error statuses for an unknown user are not documented.
    /// <summary>A read of one user's resource: null when Alloy says the user does not exist, else the successful answer.</summary>
    private async Task<HttpResponseMessage?> GetKnownUserAsync(AlloyOptions settings, Uri uri, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(settings, HttpMethod.Get, uri).Idempotent().Expecting(HttpStatusCode.NotFound);
        var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (IsUnknownUser(response))
        {
            response.Dispose();
            return null;
        }

        return response.EnsureVendorSuccess(Vendor);
    }

    private static bool IsUnknownUser(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.NotFound => true,
        HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity =>
            response.TryReadVendorJson(AlloyJsonContext.Default.AlloyError)?.Message is { } message
            && (message.Contains("not found", StringComparison.OrdinalIgnoreCase)
                || message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
                || message.Contains("no such user", StringComparison.OrdinalIgnoreCase)),
        _ => false,
    };
}

/// <summary>Alloy's credentials: <c>Authorization: Bearer &lt;AlloyApiKey&gt;</c>.</summary>
public sealed class AlloyCredentials(SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
    : BearerKeyCredentials(AlloyClient.Vendor, SecretNames.AlloyApiKey, secrets, options, logger);
