using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using ConnectIssuer.FunctionsHost.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConnectIssuer.FunctionsHost;

/// <summary>
/// A small stand-in for the Azure Functions host (Core Tools and the real host cannot be installed here): starts the
/// published .NET isolated worker as the host does, drives it over the real gRPC protocol and serves its HTTP triggers
/// on a loopback port, so tests call the Functions app over HTTP as <c>func start</c> would serve it.
/// Protocol facts from the public sources of azure-functions-host
/// (<c>src/WebJobs.Script.Grpc/Channel/GrpcWorkerChannel.cs</c>, <c>src/WebJobs.Script/Workers/Rpc/RpcWorkerContext.cs</c>)
/// and azure-functions-dotnet-worker 2.52.0 (<c>src/DotNetWorker.Grpc/GrpcWorker.cs</c>).
/// Not reproduced: function keys, platform CORS, Easy Auth, host.json HTTP limits, functionTimeout, restarts.
/// </summary>
public sealed class FunctionsHostStandIn : IAsyncDisposable
{
    /// <summary>
    /// The worker picks the port of its own Kestrel (its HttpUri) by binding port 0 and releasing it
    /// (Worker.Extensions.Http.AspNetCore 2.1.1 <c>HttpUriProvider.cs</c>, <c>Utilities.GetUnusedTcpPort</c>), then
    /// listens on it later. Two workers starting at once could be handed the same released port. Holding this gate
    /// from process start until the worker's Kestrel accepts connections means the next worker's bind(0) cannot get
    /// a port a previous one is about to use: in one test process, two workers never collide.
    /// </summary>
    private static readonly SemaphoreSlim WorkerStartGate = new(1, 1);

    private readonly LogBuffer _logs;
    private readonly ConcurrentDictionary<string, InvocationRecord> _invocations = new();
    private readonly WorkerChannel _channel;
    private readonly WebApplication _grpc;
    private Process? _worker;
    private WebApplication? _front;
    private HttpFront? _httpFront;
    private int _disposed;

    private FunctionsHostStandIn(LogBuffer logs, WorkerChannel channel, WebApplication grpc)
    {
        _logs = logs;
        _channel = channel;
        _grpc = grpc;
    }

    /// <summary>Gets the HTTP front, <c>http://127.0.0.1:port/</c>; functions are under <c>/{routePrefix}/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the worker's rpc_log lines (<c>Level Category: Message</c>) and its stdout/stderr lines.</summary>
    public IReadOnlyList<string> Logs => _logs.Snapshot();

    /// <summary>Gets the invocations so far, in no particular order.</summary>
    public IReadOnlyList<InvocationRecord> Invocations => [.. _invocations.Values];

    /// <summary>Gets the time from worker process start until every function was loaded (the HTTP front listens right after).</summary>
    public TimeSpan ProcessStartedToAllLoaded { get; private set; }

    /// <summary>Gets the time from worker process start until the HTTP front listened (after the worker's own Kestrel accepted connections).</summary>
    public TimeSpan ProcessStartedToFrontListening { get; private set; }

    /// <summary>Gets the wall-clock time just before the worker process was started (for timings measured outside this process).</summary>
    public DateTimeOffset WorkerStartedAt { get; private set; }

    /// <summary>Gets the worker's process id.</summary>
    public int WorkerProcessId { get; private set; }

    public static async Task<FunctionsHostStandIn> StartAsync(StandInOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var appDirectory = Path.GetFullPath(options.AppDirectory);
        var (executable, workerPath) = ReadWorkerConfig(appDirectory);
        var logs = new LogBuffer(options.OnLog);
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, logs);

        // The gRPC server listens before the worker starts (cleartext HTTP/2, message limits as the host sets them).
        var grpc = CreateServer(services => services
            .AddSingleton(channel)
            .AddGrpc(o => (o.MaxReceiveMessageSize, o.MaxSendMessageSize) = (int.MaxValue, int.MaxValue)));
        grpc.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = grpc.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken);

        var standIn = new FunctionsHostStandIn(logs, channel, app);
        try
        {
            await WorkerStartGate.WaitAsync(cancellationToken);
            try
            {
                await standIn.StartWorkerAsync(options, appDirectory, executable, workerPath, workerId, cancellationToken);
            }
            finally
            {
                WorkerStartGate.Release();
            }
        }
        catch
        {
            await standIn.DisposeAsync();
            throw;
        }

        return standIn;
    }

    private async Task StartWorkerAsync(
        StandInOptions options, string appDirectory, string executable, string workerPath, string workerId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var requestId = Guid.NewGuid().ToString();
        var grpcUri = new Uri(Address(_grpc));
        WorkerStartedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        _worker = Process.Start(WorkerStartInfo(options, appDirectory, executable, workerPath, grpcUri, workerId, requestId))!;
        WorkerProcessId = _worker.Id;
        _worker.OutputDataReceived += (_, e) => { if (e.Data is not null) { _logs.Add("stdout: " + e.Data); } };
        _worker.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _logs.Add("stderr: " + e.Data); } };
        _worker.BeginOutputReadLine();
        _worker.BeginErrorReadLine();
        var exited = _worker.WaitForExitAsync(CancellationToken.None);   // completes after stdout/stderr are drained

        string step = "start_stream";
        try
        {
            await UntilDone(_channel.Started);

            step = "worker_init_response";
            _channel.Send(new StreamingMessage
            {
                RequestId = requestId,
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = "4.0.0-connectissuer-standin",
                    WorkerDirectory = appDirectory,
                    FunctionAppDirectory = appDirectory,
                },
            });
            var init = (await Until(Next(StreamingMessage.ContentOneofCase.WorkerInitResponse))).WorkerInitResponse;
            EnsureSuccess(init.Result, "worker_init_response");
            if (!init.Capabilities.TryGetValue("HttpUri", out var httpUri))
            {
                throw new InvalidOperationException("the worker advertised no HttpUri capability (is ConfigureFunctionsWebApplication called?)");
            }

            step = "function_metadata_response";
            _channel.Send(new StreamingMessage
            {
                RequestId = requestId,
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
            });
            var metadata = (await Until(Next(StreamingMessage.ContentOneofCase.FunctionMetadataResponse))).FunctionMetadataResponse;
            EnsureSuccess(metadata.Result, "function_metadata_response");
            if (metadata.UseDefaultMetadataIndexing)
            {
                throw new InvalidOperationException("the worker asked for host indexing, which this stand-in does not do");
            }

            // One function_load_request per function (the worker does not advertise the collection form), built as
            // GrpcWorkerChannel.GetFunctionLoadRequest does.
            step = "function_load_response";
            foreach (var function in metadata.FunctionMetadataResults)
            {
                var load = new RpcFunctionMetadata
                {
                    Name = function.Name,
                    Directory = function.Directory,
                    EntryPoint = function.EntryPoint,
                    ScriptFile = function.ScriptFile,
                    IsProxy = false,
                };
                load.Bindings.Add(function.Bindings);
                load.Properties.Add(function.Properties);
                _channel.Send(new StreamingMessage
                {
                    RequestId = requestId,
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = load },
                });
            }

            for (var loaded = 0; loaded < metadata.FunctionMetadataResults.Count; loaded++)
            {
                var response = (await Until(Next(StreamingMessage.ContentOneofCase.FunctionLoadResponse))).FunctionLoadResponse;
                EnsureSuccess(response.Result, $"function_load_response for {response.FunctionId}");
            }

            ProcessStartedToAllLoaded = clock.Elapsed;

            // The worker may advertise HttpUri before its Kestrel listens; the start gate is held until it does.
            step = "the worker's HTTP listener";
            var workerUri = new Uri(httpUri);
            await Until(WaitForListenerAsync(workerUri, timeout.Token));

            step = "the HTTP front";
            var routePrefix = ReadRoutePrefix(appDirectory);
            _httpFront = new HttpFront(
                metadata.FunctionMetadataResults.Select(f => HttpFunction.From(f, routePrefix)).OfType<HttpFunction>(),
                workerUri, _channel, _invocations);
            var front = CreateServer(_ => { });
            front.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port, l => l.Protocols = HttpProtocols.Http1));
            _front = front.Build();
            _front.Run(_httpFront.HandleAsync);
            await _front.StartAsync(timeout.Token);
            ProcessStartedToFrontListening = clock.Elapsed;
            BaseAddress = new Uri(Address(_front) + "/");
        }
        catch (Exception exception)
        {
            if (exception is not OperationCanceledException)
            {
                // A closed stream usually means the worker is on its way out: let its last stderr lines land.
                await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            }

            var reason = exception switch
            {
                _ when exited.IsCompleted => $"the worker exited with code {_worker.ExitCode} while waiting for {step}",
                OperationCanceledException when !cancellationToken.IsCancellationRequested =>
                    $"no {step} within the start timeout of {options.StartTimeout.TotalSeconds:0} s",
                ChannelClosedException => $"the worker closed the gRPC stream while waiting for {step}",
                _ => exception.Message,
            };
            throw new WorkerStartException(
                $"The Functions worker in {appDirectory} did not start: {reason}.{Environment.NewLine}Last worker output:{Environment.NewLine}{_logs.Tail(40)}",
                exception);
        }

        // Waits for a step, but not past the worker's exit or the start timeout.
        async Task<T> Until<T>(Task<T> task)
        {
            await Task.WhenAny(task, exited).WaitAsync(timeout.Token);
            return await (task.IsCompleted ? task : throw new InvalidOperationException("the worker exited"));
        }

        async Task UntilDone(Task task)
        {
            await Task.WhenAny(task, exited).WaitAsync(timeout.Token);
            await (task.IsCompleted ? task : throw new InvalidOperationException("the worker exited"));
        }

        async Task<StreamingMessage> Next(StreamingMessage.ContentOneofCase expected)
        {
            var message = await _channel.Messages.ReadAsync(timeout.Token);
            return message.ContentCase == expected
                ? message
                : throw new InvalidOperationException($"the worker sent {message.ContentCase} while the host expected {expected}");
        }
    }

    private static void EnsureSuccess(StatusResult? result, string message)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException(
                $"the worker answered {message} with {result?.Status.ToString() ?? "no result"}: {result?.Exception?.Message ?? result?.Result}");
        }
    }

    private static async Task<bool> WaitForListenerAsync(Uri uri, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var client = new TcpClient(AddressFamily.InterNetwork);
                await client.ConnectAsync(IPAddress.Loopback, uri.Port, cancellationToken);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The process as the host starts it (<c>RpcWorkerContext.GetFormattedArguments</c>: both argument sets;
    /// <c>GrpcWorkerChannel</c>: FUNCTIONS_* variables), with a clean environment: nothing of the test process
    /// (ASPNETCORE_*, DOTNET_ENVIRONMENT, AZURE_*, Auth__*, ...) leaks into the worker's configuration.
    /// </summary>
    private static ProcessStartInfo WorkerStartInfo(
        StandInOptions options, string appDirectory, string executable, string workerPath, Uri grpcUri, string workerId, string requestId)
    {
        var info = new ProcessStartInfo(ResolveExecutable(executable))
        {
            WorkingDirectory = appDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var maxLength = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] arguments =
        [
            workerPath,
            "--host", grpcUri.Host, "--port", grpcUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxLength,
            "--functions-uri", grpcUri.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxLength,
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var inherited = info.Environment.Where(e => e.Key is "PATH" or "HOME" or "TMPDIR" or "DOTNET_ROOT" or "DOTNET_NOLOGO"
            || e.Key.StartsWith("DOTNET_CLI_", StringComparison.Ordinal) || e.Key.StartsWith("DOTNET_ROOT_", StringComparison.Ordinal)).ToList();
        info.Environment.Clear();
        foreach (var (key, value) in inherited)
        {
            info.Environment[key] = value;
        }

        info.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        info.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        info.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        if (options.AzureFunctionsEnvironment is not null)
        {
            info.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = options.AzureFunctionsEnvironment;
        }

        foreach (var (key, value) in options.AppSettings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return info;
    }

    /// <summary>worker.config.json names <c>dotnet</c>: the host resolves it from PATH; prefer the dotnet running the tests.</summary>
    private static string ResolveExecutable(string executable) =>
        executable == "dotnet" && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : executable;

    private static (string Executable, string WorkerPath) ReadWorkerConfig(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(path) || !File.Exists(Path.Combine(appDirectory, "functions.metadata")))
        {
            throw new WorkerStartException($"{appDirectory} is not a published Functions app (worker.config.json and functions.metadata are missing).");
        }

        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var description = config.RootElement.GetProperty("description");
        return (description.GetProperty("defaultExecutablePath").GetString()!, description.GetProperty("defaultWorkerPath").GetString()!);
    }

    /// <summary>host.json <c>extensions.http.routePrefix</c>, default <c>api</c> (the worker's FunctionsEndpointDataSource reads the same).</summary>
    private static string ReadRoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return "api";
        }

        using var host = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!.Trim('/')
            : "api";
    }

    private static WebApplicationBuilder CreateServer(Action<IServiceCollection> services)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        services(builder.Services);
        return builder;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>worker_terminate, a grace period, then the whole process tree is killed; returns once it has exited.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_front is not null)
        {
            await _front.StopAsync();
            await _front.DisposeAsync();
        }

        if (_worker is not null)
        {
            var grace = TimeSpan.FromSeconds(5);
            if (!_worker.HasExited)
            {
                _channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(grace) } });
                using var wait = new CancellationTokenSource(grace);
                try
                {
                    await _worker.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _worker.Kill(entireProcessTree: true);
                }
            }

            await _worker.WaitForExitAsync();
            _worker.Dispose();
        }

        await _grpc.StopAsync();
        await _grpc.DisposeAsync();
        _httpFront?.Dispose();
    }
}

/// <summary>The worker did not start; the message says why and carries the worker's last output lines.</summary>
public sealed class WorkerStartException(string message, Exception? innerException = null) : Exception(message, innerException);
