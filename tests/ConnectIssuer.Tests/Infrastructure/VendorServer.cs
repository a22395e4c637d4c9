using System.Collections.Concurrent;
using ConnectIssuer.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>A fault the fake vendor answers with instead of running the simulation.</summary>
public enum VendorFault
{
    None,
    Status500,
    Status502,
    Throttled,
    ThrottledWithoutRetryAfter,
    Unauthorized,
    Hang,
    SlowBody,
    UnreadableBody,
    HugeBody,
    ConnectionReset,

    /// <summary>Status 200, headers with a <c>Content-Length</c>, half of the body, then the connection is aborted.</summary>
    ResetMidBody,

    /// <summary>Status 200, a chunked body cut off after its first chunk by aborting the connection.</summary>
    ResetMidChunkedBody,
}

/// <summary>The <c>Vendors:Timeout</c> a fault test runs under (a real-clock deadline: the vendor is a real loopback server).</summary>
internal static class FaultDeadline
{
    /// <summary>For a vendor that never answers (or never ends its body): only the deadline ends the call.</summary>
    public const string Hanging = "00:00:01";

    /// <summary>
    /// For a vendor that answers with a fault: far beyond what a cold first call and a retry after 100 ms take on a loaded
    /// machine, so the fault is never turned into a 504 by the deadline.
    /// </summary>
    public const string Answering = "00:00:30";

    public static string For(VendorFault fault) => Holds(fault) ? Hanging : Answering;

    /// <summary>Whether the vendor holds the request under <paramref name="fault"/> (never answers, or never ends its body).</summary>
    public static bool Holds(VendorFault fault) => fault is VendorFault.Hang or VendorFault.SlowBody;
}

/// <summary>One request the fake vendor received.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// Hosts a vendor simulation on a loopback port (a real HTTP boundary), records every request and can
/// answer with injected faults: a status, a hang, a slow, unreadable or huge body, or a connection reset (before the
/// answer, or in the middle of its body).
/// </summary>
internal sealed class VendorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests;

    private VendorServer(WebApplication app, ConcurrentQueue<RecordedRequest> requests)
    {
        _app = app;
        _requests = requests;
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>Gets the base URL (no trailing slash) to point a vendor client at.</summary>
    public string BaseUrl { get; }

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Gets or sets the fault for the next requests; <see cref="VendorFault.None"/> runs the simulation.</summary>
    public VendorFault Fault { get; set; }

    /// <summary>Gets or sets how many requests the fault applies to before the simulation answers again (null: all).</summary>
    public int? FaultCount { get; set; }

    /// <summary>Gets or sets a path prefix the fault is limited to (null: every path).</summary>
    public string? FaultPath { get; set; }

    public static async Task<VendorServer> StartAsync(IVendorSimulation simulation, string? pathBase = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var requests = new ConcurrentQueue<RecordedRequest>();
        VendorServer? server = null;
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            requests.Enqueue(new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            if (!await server!.TryFaultAsync(context))
            {
                await next(context);
            }
        });
        if (pathBase is not null)
        {
            app.UsePathBase(pathBase);
        }

        simulation.Map(app);
        await app.StartAsync();
        server = new VendorServer(app, requests);
        return server;
    }

    public IEnumerable<RecordedRequest> RequestsTo(string method, string pathPrefix) =>
        _requests.Where(r => r.Method == method && r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<bool> TryFaultAsync(HttpContext context)
    {
        var fault = Fault;
        if (fault == VendorFault.None || (FaultPath is { } path && !context.Request.Path.StartsWithSegments(path)))
        {
            return false;
        }

        if (FaultCount is { } count)
        {
            if (count <= 0)
            {
                return false;
            }

            FaultCount = count - 1;
        }

        var response = context.Response;
        switch (fault)
        {
            case VendorFault.Status500:
            case VendorFault.Status502:
                response.StatusCode = fault == VendorFault.Status500 ? 500 : 502;
                await response.WriteAsync("""{"error":"internal","secret_echo":"vendor-raw-body-marker"}""");
                break;
            case VendorFault.Throttled:
            case VendorFault.ThrottledWithoutRetryAfter:
                response.StatusCode = 429;
                if (fault == VendorFault.Throttled)
                {
                    response.Headers.RetryAfter = "17";
                }

                await response.WriteAsync("""{"message":"rate limited vendor-raw-body-marker"}""");
                break;
            case VendorFault.Unauthorized:
                response.StatusCode = 401;
                await response.WriteAsync("""{"message":"bad key vendor-raw-body-marker"}""");
                break;
            case VendorFault.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case VendorFault.SlowBody:
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync("{\"data\":", context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case VendorFault.UnreadableBody:
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync("<html>not json vendor-raw-body-marker</html>");
                break;
            case VendorFault.HugeBody:
                response.StatusCode = 200;
                response.ContentType = "application/json";
                var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
                for (var i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await response.Body.WriteAsync(chunk, context.RequestAborted).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
                }

                break;
            case VendorFault.ConnectionReset:
                context.Abort();
                break;
            case VendorFault.ResetMidBody:
            case VendorFault.ResetMidChunkedBody:
                // Headers and half an answer reach the client; then the connection breaks off.
                var half = Encoding.ASCII.GetBytes("""{"data":{"vendor-raw-body-marker":""");
                response.StatusCode = 200;
                response.ContentType = "application/json";
                if (fault == VendorFault.ResetMidBody)
                {
                    response.ContentLength = half.Length * 2;
                }

                await response.Body.WriteAsync(half, context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(50, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                context.Abort();
                break;
        }

        return true;
    }
}
