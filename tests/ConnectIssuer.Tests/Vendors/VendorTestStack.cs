using System.Collections.Concurrent;
using System.Net.Http.Headers;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;
using ConnectIssuer.Vendors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Vendors;

/// <summary>
/// A vendor client registered exactly as the real ones are (<see cref="VendorServiceCollectionExtensions.AddVendorClient"/>),
/// named "Test", authenticating with <c>Bearer &lt;AlloyApiKey&gt;</c>, pointed at a loopback <see cref="VendorServer"/>.
/// </summary>
internal sealed class VendorTestStack : IDisposable
{
    private readonly ServiceProvider _services;

    public VendorTestStack(string baseUrl, SecretStore secrets, TimeSpan timeout, TimeProvider timeProvider, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddSingleton(timeProvider);
        services.AddSingleton(secrets);
        services.AddSingleton(Options.Create(new VendorsOptions { Timeout = timeout }));
        services.AddVendorClient<TestVendorClient, TestCredentials>("Test")
            .ConfigureHttpClient(http => http.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"));
        _services = services.BuildServiceProvider();
    }

    public TestVendorClient Client => _services.GetRequiredService<TestVendorClient>();

    public void Dispose() => _services.Dispose();

    /// <summary>A read (GET, idempotent) or a create (POST, not idempotent) of <c>/thing</c>, or any path.</summary>
    public sealed class TestVendorClient(HttpClient http)
    {
        public async Task<HttpResponseMessage> SendAsync(
            bool idempotent, HttpStatusCode? expected = null, string path = "thing", CancellationToken cancellationToken = default)
        {
            using var request = new HttpRequestMessage(idempotent ? HttpMethod.Get : HttpMethod.Post, path).Idempotent(idempotent);
            if (!idempotent)
            {
                request.WithJson("{}"u8.ToArray());
            }

            if (expected is { } status)
            {
                request.Expecting(status);
            }

            return await http.SendAsync(request, cancellationToken);
        }
    }

    public sealed class TestCredentials(SecretStore secrets, IOptions<VendorsOptions> options, ILogger<VendorCredentialsHandler> logger)
        : VendorCredentialsHandler(secrets, options, logger)
    {
        protected override string Vendor => "Test";

        protected override IReadOnlyList<string> SecretsToReRead { get; } = [SecretNames.AlloyApiKey];

        protected override async ValueTask AddCredentialsAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await ReadSecretAsync(request, SecretNames.AlloyApiKey, cancellationToken));
    }

    /// <summary>
    /// The vendor the stack talks to, on <c>/thing</c>: the scripted answers first, one per request; then 200 when the
    /// bearer key is <see cref="AcceptedKey"/>, 401 otherwise.
    /// </summary>
    public sealed class ScriptedSimulation(string acceptedKey) : IVendorSimulation
    {
        public string AcceptedKey { get; set; } = acceptedKey;

        public ConcurrentQueue<Func<HttpContext, Task>> Answers { get; } = new();

        public void Map(IEndpointRouteBuilder routes) =>
            routes.Map("/thing", async context =>
            {
                if (Answers.TryDequeue(out var answer))
                {
                    await answer(context);
                }
                else if (context.Request.Headers.Authorization == "Bearer " + AcceptedKey)
                {
                    await context.Response.WriteAsJsonAsync(new { ok = true });
                }
                else
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new { message = "bad key" });
                }
            });
    }
}
