using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Issuing;
using ConnectIssuer.Secrets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.Benchmarks;

/// <summary>
/// <c>POST /api/integration-app/token</c> in process: a <see cref="DefaultHttpContext"/> with the caller's RS256
/// bearer and a <c>{}</c> body goes through the real composition (<c>AddConnectIssuer</c>) the real pipeline and handler,
/// and the returned <see cref="IResult"/> is executed into the response body. No Kestrel, no sockets.
/// The audit record is formatted by a logger that discards it, so its cost is counted without console I/O.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks : IDisposable
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private readonly RSA _rsa = BenchSetup.NewRsa();
    private readonly MemoryStream _responseBody = new();
    private ServiceProvider _services = null!;
    private IssuingPipeline _pipeline = null!;
    private IntegrationAppTokenHandler _handler = null!;
    private string _authorization = "";

    [GlobalSetup]
    public void Setup()
    {
        var rsaKey = new RsaSecurityKey(_rsa) { KeyId = "rsa-1" };
        var metadata = new OpenIdConnectConfiguration { Issuer = BenchSetup.Issuer };
        metadata.SigningKeys.Add(rsaKey);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Oidc",
            ["Auth:Authority"] = BenchSetup.Issuer,
            ["Auth:Audiences:0"] = BenchSetup.Audience,
            ["Auth:CustomerIdClaim"] = "org_id",
            ["IntegrationApp:WorkspaceKey"] = BenchSetup.WorkspaceKey,
            ["IntegrationApp:Fields:plan"] = "plan",
            // One customer for every request: the limiter still runs, but must never refuse.
            ["RateLimit:PermitsPerMinute"] = "100000",
            [$"Secrets:{SecretNames.IntegrationAppWorkspaceSecret}"] = BenchSetup.WorkspaceSecret,
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new BenchHostEnvironment());
        services.AddLogging(logging => logging.AddProvider(new DiscardingLoggerProvider()).SetMinimumLevel(LogLevel.Information));
        services.AddSingleton<BaseConfigurationManager>(new StaticConfigurationManager<OpenIdConnectConfiguration>(metadata));
        services.AddConnectIssuer();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _pipeline = _services.GetRequiredService<IssuingPipeline>();
        _handler = _services.GetRequiredService<IntegrationAppTokenHandler>();
        _authorization = "Bearer " + CallerValidationBenchmarks.CallerToken(new SigningCredentials(rsaKey, SecurityAlgorithms.RsaSha256));

        var status = IssueToken().GetAwaiter().GetResult();
        if (status != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"The pipeline answered {status}, not 200.");
        }
    }

    [Benchmark]
    public async Task<int> IssueToken()
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Path = "/api/integration-app/token";
        request.Headers.Authorization = _authorization;
        request.ContentType = "application/json";
        request.ContentLength = EmptyObject.Length;
        request.Body = new MemoryStream(EmptyObject, writable: false);
        _responseBody.SetLength(0);
        context.Response.Body = _responseBody;

        var result = await _pipeline.RunAsync(request, IntegrationAppTokenHandler.Route, _handler.IssueAsync, CancellationToken.None);
        await result.ExecuteAsync(context);
        return context.Response.StatusCode;
    }

    public void Dispose()
    {
        _services?.Dispose();
        _rsa.Dispose();
        _responseBody.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Enabled at Information and formats every message (as a real sink must), then drops it.</summary>
    private sealed class DiscardingLoggerProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            GC.KeepAlive(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
