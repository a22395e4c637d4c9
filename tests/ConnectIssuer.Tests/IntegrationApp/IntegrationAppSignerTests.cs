using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Fakes;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Tests.IntegrationApp;

/// <summary>
/// The HS* fast path (<c>CompactHmacJws</c>) against <see cref="JsonWebTokenHandler"/>: the same clock, claims and
/// secret must give the very same token, which the handler validates and reads back with the same claims.
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
    public async Task MintAsync_HmacCallerClaims_CompactTokenIsTheHandlersToken(string algorithm)
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

        var (compact, viaHandler) = await MintBothAsync(algorithm, claims);

        Assert.Equal(viaHandler.Value, compact.Value);
        Assert.Equal(viaHandler.ExpiresAt, compact.ExpiresAt);
        await AssertValidWithSameClaimsAsync(compact.Value, viaHandler.Value);
    }

    [Fact]
    public async Task MintAsync_AdminClaims_CompactTokenIsTheHandlersToken()
    {
        var (compact, viaHandler) = await MintBothAsync("HS512", new Dictionary<string, object>(StringComparer.Ordinal) { ["isAdmin"] = true });

        Assert.Equal(viaHandler.Value, compact.Value);
        await AssertValidWithSameClaimsAsync(compact.Value, viaHandler.Value);
        var (header, payload) = Jwt.Decode(compact.Value);
        Assert.Equal("HS512", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.True(payload.GetProperty("isAdmin").GetBoolean());
        Assert.Equal(WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds(), payload.GetProperty("iat").GetInt64());
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), payload.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task MintAsync_ClaimTypeCompactWriterDoesNotKnow_FallsBackToTheHandler()
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = "org_42", ["ratio"] = 0.5, ["list"] = new List<string> { "x" } };

        var (compact, viaHandler) = await MintBothAsync("HS512", claims);

        Assert.Equal(viaHandler.Value, compact.Value);
        await AssertValidWithSameClaimsAsync(compact.Value, viaHandler.Value);
    }

    [Fact]
    public async Task MintAsync_ClaimsTryToSetRegisteredClaims_WorkspaceKeyAndClockWin()
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = "org_42", ["iss"] = "evil", ["exp"] = 4102444800L };

        var (compact, viaHandler) = await MintBothAsync("HS512", claims);

        Assert.Equal(viaHandler.Value, compact.Value);
        var (_, payload) = Jwt.Decode(compact.Value);
        Assert.Equal(WorkspaceKey, payload.GetProperty("iss").GetString());
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), payload.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task MintAsync_ManyThreadsAtOnce_EachTokenCarriesItsOwnClaims()
    {
        var signer = Signer("HS512", compact: true);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
            (Id: $"org_{i}", Token: await signer.MintAsync(new Dictionary<string, object> { ["id"] = $"org_{i}", ["name"] = new string('n', i % 300) })))));

        var key = Encoding.UTF8.GetBytes(WorkspaceSecret);
        Assert.All(tokens, t =>
        {
            Assert.True(Jwt.VerifyHmac(t.Token.Value, System.Security.Cryptography.HashAlgorithmName.SHA512, key));
            Assert.Equal(t.Id, Jwt.Decode(t.Token.Value).Payload.GetProperty("id").GetString());
        });
    }

    private static async Task<(IssuedToken Compact, IssuedToken ViaHandler)> MintBothAsync(string algorithm, Dictionary<string, object> claims) =>
        (await Signer(algorithm, compact: true).MintAsync(claims), await Signer(algorithm, compact: false).MintAsync(claims));

    private static IntegrationAppSigner Signer(string algorithm, bool compact)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Secrets:{SecretNames.IntegrationAppWorkspaceSecret}"] = WorkspaceSecret,
        }).Build();
        var clock = new ManualTimeProvider(Now);
        var store = new SecretStore(null, configuration, Options.Create(new KeyVaultOptions()), clock, NullLogger<SecretStore>.Instance);
        var options = Options.Create(new IntegrationAppOptions { WorkspaceKey = WorkspaceKey, Algorithm = algorithm });
        return new IntegrationAppSigner(store, options, clock) { UseCompactHmac = compact };
    }

    /// <summary>Validates both tokens with <see cref="JsonWebTokenHandler"/> and compares the claims it reads.</summary>
    private static async Task AssertValidWithSameClaimsAsync(string compact, string viaHandler)
    {
        var handler = new JsonWebTokenHandler();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = WorkspaceKey,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(WorkspaceSecret)),
        };

        var fromCompact = await handler.ValidateTokenAsync(compact, parameters);
        var fromHandler = await handler.ValidateTokenAsync(viaHandler, parameters);

        Assert.True(fromCompact.IsValid, fromCompact.Exception?.Message);
        Assert.True(fromHandler.IsValid, fromHandler.Exception?.Message);
        Assert.Equal(Describe(fromHandler.Claims), Describe(fromCompact.Claims));
        Assert.Equal(((JsonWebToken)fromHandler.SecurityToken).Alg, ((JsonWebToken)fromCompact.SecurityToken).Alg);
        Assert.Equal(((JsonWebToken)fromHandler.SecurityToken).Typ, ((JsonWebToken)fromCompact.SecurityToken).Typ);
    }

    private static string Describe(IDictionary<string, object> claims) =>
        string.Join("\n", claims.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={JsonSerializer.Serialize(c.Value)}"));
}
