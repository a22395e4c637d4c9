using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ConnectIssuer.Callers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Benchmarks;

/// <summary>
/// Caller-token validation through the real <see cref="OidcCallerAuthenticator"/> with warm keys (a
/// <see cref="StaticConfigurationManager{T}"/>, as a running instance has after its first metadata read),
/// against the raw signature verification of the same token as the floor.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallerValidationBenchmarks : IDisposable
{
    private readonly RSA _rsa = BenchSetup.NewRsa();
    private readonly ECDsa _ec = BenchSetup.NewP256();
    private OidcCallerAuthenticator _authenticator = null!;
    private HttpRequest _rsRequest = null!;
    private HttpRequest _esRequest = null!;
    private (byte[] Input, byte[] Signature) _rsParts;
    private (byte[] Input, byte[] Signature) _esParts;

    [GlobalSetup]
    public void Setup()
    {
        var rsaKey = new RsaSecurityKey(_rsa) { KeyId = "rsa-1" };
        var ecKey = new ECDsaSecurityKey(_ec) { KeyId = "ec-1" };
        var metadata = new OpenIdConnectConfiguration { Issuer = BenchSetup.Issuer };
        metadata.SigningKeys.Add(rsaKey);
        metadata.SigningKeys.Add(ecKey);
        _authenticator = new OidcCallerAuthenticator(
            Options.Create(new CallerAuthenticationOptions
            {
                Authority = new Uri(BenchSetup.Issuer),
                Audiences = [BenchSetup.Audience],
                CustomerIdClaim = "org_id",
            }),
            new StaticConfigurationManager<OpenIdConnectConfiguration>(metadata),
            TimeProvider.System,
            NullLogger<OidcCallerAuthenticator>.Instance);

        var rsToken = CallerToken(new SigningCredentials(rsaKey, SecurityAlgorithms.RsaSha256));
        var esToken = CallerToken(new SigningCredentials(ecKey, SecurityAlgorithms.EcdsaSha256));
        _rsRequest = Request(rsToken);
        _esRequest = Request(esToken);
        _rsParts = Split(rsToken);
        _esParts = Split(esToken);

        // Warm: the first validation builds the handler's per-key signature providers.
        _ = ValidateRs256().AsTask().GetAwaiter().GetResult();
        _ = ValidateEs256().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("RS256")]
    public bool RawRsa2048Verify() => _rsa.VerifyData(_rsParts.Input, _rsParts.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark, BenchmarkCategory("RS256")]
    public ValueTask<Caller> ValidateRs256() => _authenticator.AuthenticateAsync(_rsRequest, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("ES256")]
    public bool RawP256Verify() => _ec.VerifyData(_esParts.Input, _esParts.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark, BenchmarkCategory("ES256")]
    public ValueTask<Caller> ValidateEs256() => _authenticator.AuthenticateAsync(_esRequest, CancellationToken.None);

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A caller token as an identity provider issues it: sub, org_id, name, a role, an hour's lifetime.</summary>
    internal static string CallerToken(SigningCredentials credentials)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = BenchSetup.Issuer,
            Audience = BenchSetup.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "user-1", ["org_id"] = "org_42", ["name"] = "Acme Corp", ["plan"] = "pro" },
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(12),
            SigningCredentials = credentials,
        });
    }

    private static HttpRequest Request(string token)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + token;
        return context.Request;
    }

    private static (byte[] Input, byte[] Signature) Split(string token)
    {
        var last = token.LastIndexOf('.');
        return (System.Text.Encoding.ASCII.GetBytes(token[..last]), Base64UrlEncoder.DecodeBytes(token[(last + 1)..]));
    }
}
