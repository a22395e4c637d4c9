using System.Net;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using BenchmarkDotNet.Attributes;
using ConnectIssuer.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectIssuer.Benchmarks;

/// <summary>
/// A <see cref="SecretStore"/> cache hit in Key Vault mode (a real <see cref="SecretClient"/> over a fake transport,
/// warmed by one read), next to the configuration source used for local runs.
/// </summary>
[MemoryDiagnoser]
public class SecretStoreBenchmarks : IDisposable
{
    private readonly MinimalFakeVault _vault = new();
    private SecretStore _keyVault = null!;
    private SecretStore _configuration = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = SecretStoreServiceCollectionExtensions.CreateSecretClientOptions();
        options.Transport = new HttpClientTransport(_vault);
        var client = new SecretClient(MinimalFakeVault.Uri, new StaticTokenCredential(), options);
        var emptyConfiguration = new ConfigurationBuilder().Build();
        _keyVault = new SecretStore(
            client, emptyConfiguration, Options.Create(new KeyVaultOptions { Uri = MinimalFakeVault.Uri, CacheTtl = TimeSpan.FromHours(1) }),
            TimeProvider.System, NullLogger<SecretStore>.Instance);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Secrets:{SecretNames.IntegrationAppWorkspaceSecret}"] = BenchSetup.WorkspaceSecret,
        }).Build();
        _configuration = new SecretStore(null, configuration, Options.Create(new KeyVaultOptions()), TimeProvider.System, NullLogger<SecretStore>.Instance);

        if (_keyVault.GetAsync(SecretNames.IntegrationAppWorkspaceSecret).AsTask().GetAwaiter().GetResult() != BenchSetup.WorkspaceSecret
            || _vault.Reads != 1)
        {
            throw new InvalidOperationException("The fake vault did not serve the secret.");
        }
    }

    [Benchmark(Baseline = true)]
    public ValueTask<string?> KeyVaultCacheHit() => _keyVault.GetAsync(SecretNames.IntegrationAppWorkspaceSecret);

    [Benchmark]
    public ValueTask<string?> ConfigurationRead() => _configuration.GetAsync(SecretNames.IntegrationAppWorkspaceSecret);

    public void Dispose()
    {
        _vault.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Just enough of Key Vault for the SDK: the bearer challenge, then <c>GET /secrets/{name}</c>.</summary>
    private sealed class MinimalFakeVault : HttpMessageHandler
    {
        public static readonly Uri Uri = new("https://bench-vault.vault.azure.net/");

        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: StaticTokenCredential.Token })
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.TryAddWithoutValidation(
                    "WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"");
                return Task.FromResult(challenge);
            }

            Interlocked.Increment(ref _reads);
            var name = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
            var body = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["value"] = BenchSetup.WorkspaceSecret,
                ["id"] = $"{Uri.AbsoluteUri}secrets/{name}/0123456789abcdef0123456789abcdef",
            });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    private sealed class StaticTokenCredential : TokenCredential
    {
        public const string Token = "bench-vault-access-token";

        private static readonly AccessToken AccessToken = new(Token, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => AccessToken;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(AccessToken);
    }
}
