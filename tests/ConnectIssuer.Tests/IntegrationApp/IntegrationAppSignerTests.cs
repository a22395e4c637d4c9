using System.Security.Cryptography;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Tests.IntegrationApp;

/// <summary>
/// HS* tokens minted by the signer (through <see cref="JsonWebTokenHandler"/>): verified by hand-written HMAC and by the
/// handler's own validation, with the caller's claims read back as they went in and the registered claims owned by the signer.
/// </summary>
public sealed class IntegrationAppSignerTests
{
    // 64 bytes, so JsonWebTokenHandler's own validation (which keeps IdentityModel's key-size floor) accepts it.
    private const string WorkspaceSecret = "ws-secret-0123456789abcdef0123456789abcdef0123456789abcdef012345";
    private const string WorkspaceKey = "ws-key-123";

    private static readonly DateTimeOffset Now = new(2026, 11, 21, 22, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> HmacAlgorithms => ["HS256", "HS384", "HS512"];

    [Theory]
    [MemberData(nameof(HmacAlgorithms))]
    public async Task MintAsync_HmacCallerClaims_SignedTokenCarriesTheClaims(string algorithm)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["id"] = "org_42 \"quoted\" <script>&'",
            ["name"] = "Zoë Ünïcode 日本 😀 \\ / \u0001",
            ["fields"] = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["plan"] = "pro",
                ["groups"] = new[] { "a", "b\"c" },
                ["seats"] = 12,
                ["quota"] = 5_000_000_000L,
            },
        };

        var token = await Signer(algorithm).MintAsync(claims);

        Assert.True(Jwt.VerifyHmac(token.Value, Hash(algorithm), Encoding.UTF8.GetBytes(WorkspaceSecret)));
        Assert.Equal(Now.AddHours(1), token.ExpiresAt);
        var (header, payload) = Jwt.Decode(token.Value);
        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal("org_42 \"quoted\" <script>&'", payload.GetProperty("id").GetString());
        Assert.Equal("Zoë Ünïcode 日本 😀 \\ / \u0001", payload.GetProperty("name").GetString());
        var fields = payload.GetProperty("fields");
        Assert.Equal("pro", fields.GetProperty("plan").GetString());
        Assert.Equal(["a", "b\"c"], fields.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(12, fields.GetProperty("seats").GetInt32());
        Assert.Equal(5_000_000_000L, fields.GetProperty("quota").GetInt64());
        await AssertValidAsync(token.Value, algorithm);
    }

    [Fact]
    public async Task MintAsync_AdminClaims_HeaderAndRegisteredClaims()
    {
        var token = await Signer("HS512").MintAsync(new Dictionary<string, object>(StringComparer.Ordinal) { ["isAdmin"] = true });

        await AssertValidAsync(token.Value, "HS512");
        var (header, payload) = Jwt.Decode(token.Value);
        Assert.Equal("HS512", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.True(payload.GetProperty("isAdmin").GetBoolean());
        Assert.Equal(WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds(), payload.GetProperty("iat").GetInt64());
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), payload.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task MintAsync_DoubleAndListClaims_WrittenAsJsonNumberAndArray()
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = "org_42", ["ratio"] = 0.5, ["list"] = new List<string> { "x" } };

        var token = await Signer("HS512").MintAsync(claims);

        await AssertValidAsync(token.Value, "HS512");
        var (_, payload) = Jwt.Decode(token.Value);
        Assert.Equal(0.5, payload.GetProperty("ratio").GetDouble());
        Assert.Equal(["x"], payload.GetProperty("list").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task MintAsync_ClaimsTryToSetRegisteredClaims_WorkspaceKeyAndClockWin()
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = "org_42", ["iss"] = "evil", ["exp"] = 4102444800L };

        var token = await Signer("HS512").MintAsync(claims);

        await AssertValidAsync(token.Value, "HS512");
        var (_, payload) = Jwt.Decode(token.Value);
        Assert.Equal(WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), payload.GetProperty("exp").GetInt64());
        Assert.Equal(Now.AddHours(1), token.ExpiresAt);
    }

    [Theory]
    [MemberData(nameof(HmacAlgorithms))]
    public async Task MintAsync_SecretShorterThanTheHash_StillSigns(string algorithm)
    {
        const string shortSecret = "short-secret";

        var token = await Signer(algorithm, shortSecret).MintAsync(new Dictionary<string, object> { ["id"] = "org_42" });

        Assert.True(Jwt.VerifyHmac(token.Value, Hash(algorithm), Encoding.UTF8.GetBytes(shortSecret)));
        // Why HmacCryptoProvider exists: IdentityModel on its own refuses this key.
        Assert.ThrowsAny<Exception>(() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = WorkspaceKey,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(shortSecret)), algorithm),
        }));
    }

    [Fact]
    public async Task MintAsync_ManyThreadsAtOnce_EachTokenCarriesItsOwnClaims()
    {
        var signer = Signer("HS512");

        var tokens = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
            (Id: $"org_{i}", Token: await signer.MintAsync(new Dictionary<string, object> { ["id"] = $"org_{i}", ["name"] = new string('n', i % 300) })))));

        var key = Encoding.UTF8.GetBytes(WorkspaceSecret);
        Assert.All(tokens, t =>
        {
            Assert.True(Jwt.VerifyHmac(t.Token.Value, HashAlgorithmName.SHA512, key));
            Assert.Equal(t.Id, Jwt.Decode(t.Token.Value).Payload.GetProperty("id").GetString());
        });
    }

    private static HashAlgorithmName Hash(string algorithm) => algorithm switch
    {
        "HS256" => HashAlgorithmName.SHA256,
        "HS384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static IntegrationAppSigner Signer(string algorithm, string secret = WorkspaceSecret)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Secrets:{SecretNames.IntegrationAppWorkspaceSecret}"] = secret,
        }).Build();
        var clock = new FakeTimeProvider(Now);
        var store = new SecretStore(null, configuration, Options.Create(new KeyVaultOptions()), clock, NullLogger<SecretStore>.Instance);
        var options = Options.Create(new IntegrationAppOptions { WorkspaceKey = WorkspaceKey, Algorithm = algorithm });
        return new IntegrationAppSigner(store, options, clock);
    }

    /// <summary>Validates the token with <see cref="JsonWebTokenHandler"/> (issuer and signature; the clock is the test's).</summary>
    private static async Task AssertValidAsync(string token, string algorithm)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = WorkspaceKey,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidAlgorithms = [algorithm],
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(WorkspaceSecret)),
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(algorithm, ((JsonWebToken)result.SecurityToken).Alg);
        Assert.Equal("JWT", ((JsonWebToken)result.SecurityToken).Typ);
    }
}
