using System.Security.Cryptography;
using System.Text;
using ConnectIssuer.Http;
using ConnectIssuer.Secrets;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.IntegrationApp;

/// <summary>A minted token and when it stops being valid.</summary>
public sealed record IssuedToken(string Value, DateTimeOffset ExpiresAt);

/// <summary>
/// Mints Integration.app workspace tokens (<c>iss</c> = workspace key, header <c>typ: JWT</c>) with the
/// workspace secret (HS*) or a PKCS#8 private key (RS*/PS*/ES*). Signing credentials are built once per
/// secret value and reused until the secret changes; time comes from <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Every token is written by <see cref="JsonWebTokenHandler"/>; HS* keys sign through <see cref="HmacCryptoProvider"/>
/// so that a workspace secret shorter than the hash still signs.
/// </remarks>
public sealed class IntegrationAppSigner(SecretStore secrets, IOptions<IntegrationAppOptions> options, TimeProvider timeProvider)
{
    public static string Vendor => IntegrationAppVendor.Names.Name;

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private CachedCredentials? _credentials;

    /// <summary>Mints a token that lives <see cref="IntegrationAppOptions.TokenLifetime"/>.</summary>
    public Task<IssuedToken> MintAsync(IDictionary<string, object> claims, CancellationToken cancellationToken = default) =>
        MintAsync(claims, options.Value.TokenLifetime, cancellationToken);

    /// <summary>Mints a token that lives <paramref name="lifetime"/> (e.g. <see cref="IntegrationAppOptions.AdminTokenLifetime"/>).</summary>
    public async Task<IssuedToken> MintAsync(IDictionary<string, object> claims, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var settings = options.Value;
        var credentials = await GetConfiguredCredentialsAsync(settings, cancellationToken);
        return Write(settings, credentials, claims, lifetime);
    }

    private IssuedToken Write(IntegrationAppOptions settings, CachedCredentials credentials, IDictionary<string, object> claims, TimeSpan lifetime)
    {
        // Whole seconds: JWT times are NumericDate, and expiresAt must match the token's exp exactly.
        var now = DateTimeOffset.FromUnixTimeSeconds(timeProvider.GetUtcNow().ToUnixTimeSeconds());
        var expiresAt = now + TimeSpan.FromSeconds(Math.Ceiling(lifetime.TotalSeconds));
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.WorkspaceKey,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            TokenType = "JWT",
            SigningCredentials = credentials.Credentials,
        });
        return new IssuedToken(token, expiresAt);
    }

    /// <summary>Gets the name of the secret the signer signs with under the current algorithm.</summary>
    public string SecretName => options.Value.IsSymmetric ? SecretNames.IntegrationAppWorkspaceSecret : SecretNames.IntegrationAppPrivateKey;

    /// <summary>
    /// Mints a token that lives <paramref name="lifetime"/> with a secret value already read (<see cref="SecretName"/>), for a
    /// vendor call that reads its secret through the transport and mints again after the secret was read anew.
    /// </summary>
    /// <exception cref="ApiProblemException">503 <c>vendor_not_configured</c>: no workspace key, or a key unusable for the algorithm.</exception>
    public IssuedToken Mint(string secret, IDictionary<string, object> claims, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.WorkspaceKey))
        {
            throw ApiProblemException.VendorNotConfigured(Vendor, "the setting IntegrationApp:WorkspaceKey");
        }

        return Write(settings, CredentialsFor(settings, secret), claims, lifetime);
    }

    /// <summary>
    /// Whether a token can be minted: the same checks as <see cref="MintAsync(IDictionary{string, object}, TimeSpan, CancellationToken)"/>
    /// (workspace key, secret, a key usable for the algorithm), so health and the token routes agree.
    /// </summary>
    /// <exception cref="SecretsUnavailableException">The secret store cannot be read.</exception>
    public async ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken)
    {
        try
        {
            await GetConfiguredCredentialsAsync(options.Value, cancellationToken);
            return true;
        }
        catch (ApiProblemException exception) when (exception.Code == ProblemCodes.VendorNotConfigured)
        {
            return false;
        }
    }

    private ValueTask<CachedCredentials> GetConfiguredCredentialsAsync(IntegrationAppOptions settings, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(settings.WorkspaceKey)
            ? throw ApiProblemException.VendorNotConfigured(Vendor, "the setting IntegrationApp:WorkspaceKey")
            : GetCredentialsAsync(settings, cancellationToken);

    private async ValueTask<CachedCredentials> GetCredentialsAsync(IntegrationAppOptions settings, CancellationToken cancellationToken)
    {
        var secretName = settings.IsSymmetric ? SecretNames.IntegrationAppWorkspaceSecret : SecretNames.IntegrationAppPrivateKey;
        var secret = await secrets.GetAsync(secretName, cancellationToken)
            ?? throw ApiProblemException.VendorNotConfigured(Vendor, $"the secret {secretName}");
        return CredentialsFor(settings, secret);
    }

    private CachedCredentials CredentialsFor(IntegrationAppOptions settings, string secret)
    {
        var secretName = settings.IsSymmetric ? SecretNames.IntegrationAppWorkspaceSecret : SecretNames.IntegrationAppPrivateKey;
        var cached = Volatile.Read(ref _credentials);
        if (cached is not null && cached.Algorithm == settings.Algorithm && string.Equals(cached.Secret, secret, StringComparison.Ordinal))
        {
            return cached;
        }

        var key = CreateKey(settings.Algorithm, secret, secretName);
        var created = new CachedCredentials(settings.Algorithm, secret, new SigningCredentials(key, settings.Algorithm));
        Volatile.Write(ref _credentials, created);
        return created;
    }

    private static SecurityKey CreateKey(string algorithm, string secret, string secretName)
    {
        try
        {
            switch (algorithm[..2])
            {
                case "HS":
                    return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret))
                    {
                        CryptoProviderFactory = new CryptoProviderFactory { CustomCryptoProvider = new HmacCryptoProvider() },
                    };
                case "ES":
                    var ecdsa = ECDsa.Create();
                    ecdsa.ImportFromPem(secret);
                    var expectedBits = algorithm == "ES256" ? 256 : 384;
                    return ecdsa.KeySize == expectedBits
                        ? new ECDsaSecurityKey(ecdsa)
                        : throw InvalidKey(secretName, algorithm);
                default:
                    var rsa = RSA.Create();
                    rsa.ImportFromPem(secret);
                    return rsa.KeySize >= 2048 ? new RsaSecurityKey(rsa) : throw InvalidKey(secretName, algorithm);
            }
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            // The exception text can quote PEM content; never pass it on.
            throw InvalidKey(secretName, algorithm);
        }
    }

    private static ApiProblemException InvalidKey(string secretName, string algorithm) =>
        new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.VendorNotConfigured,
            $"{Vendor} is not configured: the secret {secretName} is not a usable PKCS#8 PEM key for {algorithm}.");

    /// <summary>The credentials for one secret value.</summary>
    private sealed record CachedCredentials(string Algorithm, string Secret, SigningCredentials Credentials);
}
