using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using ConnectIssuer.Alloy;
using ConnectIssuer.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConnectIssuer.Benchmarks;

/// <summary>
/// One Alloy user-token call (<c>GET /users/{id}/token</c>) through the vendor HTTP stack, in process: the primary
/// handler is a stub answering a canned token after one yield, so only the stack's own work is measured. <see cref="Floor"/> is
/// the same client over a bare <see cref="HttpClient"/>; <see cref="Stack"/> is the client as <c>AddConnectIssuer</c>
/// registers it (factory, call handler, resilience handler, credentials, bounded body).
/// </summary>
[MemoryDiagnoser]
public class VendorStackBenchmarks : IDisposable
{
    private const string UserId = "0123456789abcdef01234567";
    private ServiceProvider _services = null!;
    private HttpClient _bare = null!;
    private IOptions<AlloyOptions> _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Oidc",
            ["Auth:Authority"] = BenchSetup.Issuer,
            ["Auth:Audiences:0"] = BenchSetup.Audience,
            ["Alloy:BaseUrl"] = "https://alloy.bench.example",
            ["Alloy:UsernamePrefix"] = "bench.",
            [$"Secrets:{SecretNames.AlloyApiKey}"] = "bench-alloy-api-key",
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new BenchHostEnvironment());
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Information));
        services.AddConnectIssuer();
        services.AddHttpClient<AlloyClient>().ConfigurePrimaryHttpMessageHandler(() => new TokenStub());
        _services = services.BuildServiceProvider();
        _options = _services.GetRequiredService<IOptions<AlloyOptions>>();
        _bare = new HttpClient(new TokenStub());
        if (Stack().GetAwaiter().GetResult() is null || Floor().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException("The stub token was not read.");
        }
    }

    [Benchmark(Baseline = true)]
    public Task<AlloyUserToken?> Floor() => new AlloyClient(_bare, _options).GetUserTokenAsync(UserId, CancellationToken.None);

    [Benchmark]
    public Task<AlloyUserToken?> Stack() => _services.GetRequiredService<AlloyClient>().GetUserTokenAsync(UserId, CancellationToken.None);

    public void Dispose()
    {
        _services?.Dispose();
        _bare?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class TokenStub : HttpMessageHandler
    {
        private static readonly byte[] Body = Encoding.UTF8.GetBytes(
            """{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1NjciLCJ1c2VybmFtZSI6ImJlbmNoLm9yZ18xIiwiaWF0IjoxNzY0NjUwMDAwLCJleHAiOjE3NjQ2NTE4MDB9.c2lnbmF0dXJlLWJ5dGVzLWZvci10aGUtYmVuY2htYXJr"}""");

        // It yields before answering, as a socket does: every async layer above then really suspends and resumes
        // (an answer completed at once would hide the cost of the handlers' and the resilience pipeline's state machines).
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(Body) { Headers = { ContentType = new("application/json") } },
            };
        }
    }
}
