using ConnectIssuer.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Callers;

/// <summary>
/// Validates the SPA's bearer JWT against the OpenID Connect provider's metadata and keys. Only
/// asymmetric algorithms are accepted, so neither <c>none</c> nor an HMAC signed with a public key passes.
/// </summary>
public sealed partial class OidcCallerAuthenticator : ICallerAuthenticator
{
    /// <summary>Larger tokens are refused before any parsing (Entra tokens with group claims stay well below).</summary>
    public const int MaxTokenBytes = 16 * 1024;

    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenBytes };
    private readonly TokenValidationParameters _parameters;
    private readonly CallerAuthenticationOptions _options;
    private readonly ILogger<OidcCallerAuthenticator> _logger;

    public OidcCallerAuthenticator(
        IOptions<CallerAuthenticationOptions> options,
        BaseConfigurationManager metadata,
        ILogger<OidcCallerAuthenticator> logger)
    {
        _options = options.Value;
        _logger = logger;
        _parameters = new TokenValidationParameters
        {
            ConfigurationManager = metadata, // signing keys and the default issuer come from the discovery document
            ValidAudiences = _options.Audiences,
            // Blank entries (an app setting left empty) are ignored rather than accepted as an issuer.
            ValidIssuers = _options.Issuers.Any(i => !string.IsNullOrWhiteSpace(i)) ? _options.Issuers.Where(i => !string.IsNullOrWhiteSpace(i)).ToArray() : null,
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
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            // The exception type says why (expired, bad signature, audience…) without echoing the token.
            var reason = result.Exception?.GetType().Name ?? "unknown";
            LogTokenRejected(_logger, reason);
            throw ApiProblemException.Unauthenticated("The bearer token is invalid, expired or not meant for this service.");
        }

        return CallerClaims.ToCaller(result.ClaimsIdentity, _options);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caller token rejected: {Reason}")]
    private static partial void LogTokenRejected(ILogger logger, string reason);
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
