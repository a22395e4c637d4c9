using ConnectIssuer.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>
/// The real standalone server (<see cref="ServerApp"/>) on Kestrel at a free loopback port, with the
/// given settings only (no appsettings files, no environment variables) and every log line captured.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _contentRoot;

    private RunningServer(WebApplication app, string contentRoot, CapturedLogs logs)
    {
        _app = app;
        _contentRoot = contentRoot;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(
        IDictionary<string, string?> settings, string environment = "Production", Action<IServiceCollection>? services = null)
    {
        var contentRoot = Directory.CreateTempSubdirectory("connectissuer-test-").FullName;
        var logs = new CapturedLogs();
        var app = ServerApp.Create(
            new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = contentRoot, ApplicationName = "ConnectIssuer.Server" },
            builder =>
            {
                builder.Configuration.Sources.Clear();
                builder.Configuration.AddInMemoryCollection(settings);
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddProvider(logs);
                services?.Invoke(builder.Services);
            });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(contentRoot, recursive: true);
            throw;
        }

        return new RunningServer(app, contentRoot, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
