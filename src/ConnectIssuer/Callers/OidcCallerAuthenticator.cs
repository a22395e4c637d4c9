using ConnectIssuer.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Callers;

/// <summary>
/// Validates the SPA's bearer JWT against the OpenID Connect provider's metadata and keys. Only
/// asymmetric algorithms are accepted, so neither <c>none</c> nor an HMAC signed with a public key passes.
/// On top of signature, issuer, audience and lifetime: no <c>crit</c> header (no JWS extension is understood),
/// the optional <c>Auth:ValidTypes</c>, <c>Auth:RequiredScopes</c> and <c>Auth:AllowedClientIds</c>, and a
/// customer claim that is one JSON string or number. When the metadata or keys cannot be read at all, the
/// answer is <c>503 auth_unavailable</c>, not 401: the caller's token may be fine.
/// </summary>
public sealed partial class OidcCallerAuthenticator : ICallerAuthenticator
{
    /// <summary>Larger tokens are refused before any parsing (Entra tokens with group claims stay well below).</summary>
    public const int MaxTokenBytes = 16 * 1024;

    /// <summary>
    /// After the metadata could not be read, further callers get <c>503</c> at once for this long (and it is their
    /// <c>Retry-After</c>), instead of queueing behind one more fetch each while the provider is down.
    /// </summary>
    public static readonly TimeSpan MetadataRetryDelay = TimeSpan.FromSeconds(5);

    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenBytes };
    private readonly TokenValidationParameters _parameters;
    private readonly CallerAuthenticationOptions _options;
    private readonly BaseConfigurationManager _metadata;
    private readonly TimeProvider _time;
    private readonly ILogger<OidcCallerAuthenticator> _logger;
    private readonly string[] _validTypes;
    private readonly string[] _requiredScopes;
    private readonly HashSet<string> _allowedClientIds;
    private long _metadataFailedAtUtcTicks; // 0: the last read succeeded (or none failed yet)

    public OidcCallerAuthenticator(
        IOptions<CallerAuthenticationOptions> options,
        BaseConfigurationManager metadata,
        TimeProvider time,
        ILogger<OidcCallerAuthenticator> logger)
    {
        _options = options.Value;
        _metadata = metadata;
        _time = time;
        _logger = logger;
        _validTypes = [.. CallerAuthenticationOptions.Effective(_options.ValidTypes).Select(MediaType)];
        _requiredScopes = CallerAuthenticationOptions.Effective(_options.RequiredScopes);
        _allowedClientIds = new HashSet<string>(CallerAuthenticationOptions.Effective(_options.AllowedClientIds), StringComparer.Ordinal);
        var issuers = CallerAuthenticationOptions.Effective(_options.Issuers);
        _parameters = new TokenValidationParameters
        {
            ConfigurationManager = metadata, // signing keys and the default issuer come from the discovery document
            ValidAudiences = _options.Audiences,
            // Blank entries (an app setting left empty) are ignored rather than accepted as an issuer.
            ValidIssuers = issuers.Length > 0 ? issuers : null,
            ValidAlgorithms = AsymmetricAlgorithms,
            ClockSkew = _options.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
        };
    }

    public async ValueTask<Caller> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var token = BearerToken.Read(request);
        if (!_handler.CanReadToken(token))
        {
            // Not even the shape of a JWT: no need to ask the provider for keys to say so.
            throw Rejected("malformed");
        }

        await EnsureMetadataAsync(cancellationToken);
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            // The exception type says why (expired, bad signature, audience…) without echoing the token.
            throw Rejected(result.Exception?.GetType().Name ?? "unknown");
        }

        if (result.SecurityToken is not JsonWebToken jwt)
        {
            throw Rejected("not a JWS");
        }

        CheckHeader(jwt);
        CheckClaims(jwt, result.ClaimsIdentity);
        return CallerClaims.ToCaller(result.ClaimsIdentity, _options);
    }

    /// <summary>
    /// Reads the metadata and keys (cached by the configuration manager; a later refresh that fails keeps the last good
    /// ones). Only when there is nothing to validate with is the answer <c>503 auth_unavailable</c>.
    /// </summary>
    private async Task EnsureMetadataAsync(CancellationToken cancellationToken)
    {
        var failedAt = Interlocked.Read(ref _metadataFailedAtUtcTicks);
        if (failedAt != 0)
        {
            var sinceFailure = _time.GetUtcNow().UtcTicks - failedAt;
            if (sinceFailure >= 0 && sinceFailure < MetadataRetryDelay.Ticks)
            {
                throw Unavailable(MetadataRetryDelay - TimeSpan.FromTicks(sinceFailure));
            }
        }

        try
        {
            _ = await _metadata.GetBaseConfigurationAsync(cancellationToken);
            Interlocked.Exchange(ref _metadataFailedAtUtcTicks, 0);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _metadataFailedAtUtcTicks, _time.GetUtcNow().UtcTicks);
            LogMetadataUnavailable(_logger, (exception.InnerException ?? exception).GetType().Name);
            throw Unavailable(MetadataRetryDelay);
        }
    }

    private void CheckHeader(JsonWebToken jwt)
    {
        // RFC 7515 § 4.1.11: a recipient that does not understand every listed extension must refuse the token.
        // This service understands none, so any crit header is refused.
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            throw Rejected("crit header");
        }

        if (_validTypes.Length > 0 && !_validTypes.Contains(MediaType(jwt.Typ), StringComparer.OrdinalIgnoreCase))
        {
            throw Rejected("typ not accepted");
        }
    }

    private void CheckClaims(JsonWebToken jwt, System.Security.Claims.ClaimsIdentity identity)
    {
        if (_requiredScopes.Length > 0)
        {
            var scopes = identity.FindAll("scp").Concat(identity.FindAll("scope"))
                .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToHashSet(StringComparer.Ordinal);
            if (!_requiredScopes.All(scopes.Contains))
            {
                throw Rejected("scope missing");
            }
        }

        if (_allowedClientIds.Count > 0)
        {
            // azp (OpenID Connect, Entra v2) when present, else appid (Entra v1); one value, and an allowed one.
            var clients = identity.FindAll("azp").ToList();
            if (clients.Count == 0)
            {
                clients = [.. identity.FindAll("appid")];
            }

            if (clients is not [{ } client] || !_allowedClientIds.Contains(client.Value))
            {
                throw Rejected("client not allowed");
            }
        }

        // An array (even of one item) or an object is not a customer id; CallerClaims refuses several values too.
        if (!CustomerClaimIsScalar(jwt, _options.CustomerIdClaim))
        {
            throw Rejected("customer claim not a single value", $"The token's '{_options.CustomerIdClaim}' claim must name exactly one customer.");
        }
    }

    /// <summary>Whether every occurrence of the claim in the payload JSON is a string or a number (absent: true, checked later).</summary>
    private static bool CustomerClaimIsScalar(JsonWebToken jwt, string claim)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return payload.RootElement.EnumerateObject()
            .Where(p => string.Equals(p.Name, claim, StringComparison.Ordinal))
            .All(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number);
    }

    /// <summary>A JWS <c>typ</c> as a media type: <c>application/</c> is implied when there is no <c>/</c> (RFC 7515 § 4.1.9).</summary>
    private static string MediaType(string? typ) =>
        string.IsNullOrEmpty(typ) ? "" : typ.Contains('/', StringComparison.Ordinal) ? typ : "application/" + typ;

    private ApiProblemException Rejected(string reason, string detail = "The bearer token is invalid, expired or not meant for this service.")
    {
        LogTokenRejected(_logger, reason);
        return ApiProblemException.Unauthenticated(detail);
    }

    private static ApiProblemException Unavailable(TimeSpan retryAfter) =>
        new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.AuthUnavailable,
            "The identity provider's metadata or signing keys cannot be read right now, so the token cannot be checked; retry later.")
        {
            RetryAfter = retryAfter,
        };

    [LoggerMessage(Level = LogLevel.Information, Message = "Caller token rejected: {Reason}")]
    private static partial void LogTokenRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenID Connect metadata or signing keys could not be read ({Reason}); answering 503 auth_unavailable")]
    private static partial void LogMetadataUnavailable(ILogger logger, string reason);
}

/// <summary>Reads <c>Authorization: Bearer …</c>.</summary>
internal static class BearerToken
{
    public static string Read(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count == 0)
        {
            throw ApiProblemException.Unauthenticated("A bearer token is required.", "invalid_request");
        }

        var header = values.Count == 1 ? values[0] : null;
        const string Prefix = "Bearer ";
        if (header is null || header.Length <= Prefix.Length || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw ApiProblemException.Unauthenticated("The Authorization header must be a single 'Bearer <token>'.", "invalid_request");
        }

        var token = header[Prefix.Length..].Trim();
        if (token.Length is 0 or > OidcCallerAuthenticator.MaxTokenBytes)
        {
            throw ApiProblemException.Unauthenticated("The bearer token is empty or too large.");
        }

        return token;
    }
}
