using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ConnectIssuer.IntegrationApp;

namespace ConnectIssuer.Benchmarks;

/// <summary>
/// Minting an Integration.app token through the real <see cref="IntegrationAppSigner"/>, against the floor:
/// the raw signature over the same signing input, in the same run. Each algorithm is its own category, with
/// the raw signature as the baseline, so the Ratio column reads "times the floor".
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MintBenchmarks : IDisposable
{
    private readonly Dictionary<string, object> _claims = BenchSetup.CallerClaims();
    private readonly byte[] _hmacKey = Encoding.UTF8.GetBytes(BenchSetup.WorkspaceSecret);
    private readonly RSA _rsa = BenchSetup.NewRsa();
    private readonly ECDsa _ec = BenchSetup.NewP256();
    private IntegrationAppSigner _hs512 = null!;
    private IntegrationAppSigner _rs256 = null!;
    private IntegrationAppSigner _es256 = null!;
    private byte[] _hsInput = [];
    private byte[] _rsInput = [];
    private byte[] _esInput = [];

    [GlobalSetup]
    public void Setup()
    {
        _hs512 = BenchSetup.Signer("HS512");
        _rs256 = BenchSetup.Signer("RS256", _rsa.ExportPkcs8PrivateKeyPem());
        _es256 = BenchSetup.Signer("ES256", _ec.ExportPkcs8PrivateKeyPem());

        // Warm the signers' credential caches and take the exact signing inputs they produce.
        _hsInput = BenchSetup.SigningInput(_hs512.MintAsync(_claims).GetAwaiter().GetResult().Value);
        _rsInput = BenchSetup.SigningInput(_rs256.MintAsync(_claims).GetAwaiter().GetResult().Value);
        _esInput = BenchSetup.SigningInput(_es256.MintAsync(_claims).GetAwaiter().GetResult().Value);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("HS512")]
    public byte[] RawHmacSha512() => HMACSHA512.HashData(_hmacKey, _hsInput);

    /// <summary>The signer as shipped: every algorithm through <c>JsonWebTokenHandler.CreateToken</c>.</summary>
    [Benchmark, BenchmarkCategory("HS512")]
    public Task<IssuedToken> SignerHs512() => _hs512.MintAsync(_claims);

    [Benchmark(Baseline = true), BenchmarkCategory("RS256")]
    public byte[] RawRsa2048() => _rsa.SignData(_rsInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark, BenchmarkCategory("RS256")]
    public Task<IssuedToken> SignerRs256() => _rs256.MintAsync(_claims);

    [Benchmark(Baseline = true), BenchmarkCategory("ES256")]
    public byte[] RawP256() => _ec.SignData(_esInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark, BenchmarkCategory("ES256")]
    public Task<IssuedToken> SignerEs256() => _es256.MintAsync(_claims);

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
        GC.SuppressFinalize(this);
    }
}
