using System.Collections.Concurrent;
using System.Threading.Channels;
using ConnectIssuer.FunctionsHost.Rpc;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;

namespace ConnectIssuer.FunctionsHost;

/// <summary>
/// The host's end of one worker's <c>EventStream</c> (azure-functions-host
/// <c>src/WebJobs.Script.Grpc/Channel/GrpcWorkerChannel.cs</c>): one stream, writes serialized through one
/// queue, rpc_log into the logs, invocation responses matched by invocation id, everything else handed
/// to the start-up conversation in arrival order.
/// </summary>
internal sealed class WorkerChannel(string workerId, LogBuffer logs)
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new() { SingleReader = true });
    private readonly Channel<StreamingMessage> _startup = Channel.CreateUnbounded<StreamingMessage>();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StatusResult>> _invocations = new();
    private int _streams;

    /// <summary>Gets a task that completes when the worker has sent <c>start_stream</c> with its worker id.</summary>
    public Task Started => _started.Task;

    /// <summary>Gets the worker's messages other than logs and invocation responses; completed when the stream ends.</summary>
    public ChannelReader<StreamingMessage> Messages => _startup.Reader;

    public void Send(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    /// <summary>Sends the invocation request; the task completes with the worker's invocation response result.</summary>
    public Task<StatusResult> InvokeAsync(InvocationRequest request)
    {
        var response = new TaskCompletionSource<StatusResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[request.InvocationId] = response;
        Send(new StreamingMessage { InvocationRequest = request });
        return response.Task;
    }

    public void Cancel(string invocationId) =>
        Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _streams) != 1)
        {
            // The host advertises no MultiStream capability here, and the .NET worker opens one stream.
            throw new RpcException(new Status(StatusCode.AlreadyExists, "This stand-in serves one stream per worker."));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteAllAsync(responses, stop.Token);
        try
        {
            await foreach (var message in requests.ReadAllAsync(cancellationToken))
            {
                Dispatch(message);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or RpcException)
        {
            // The worker went away (exited or was killed): the same as the end of the stream.
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
            _startup.Writer.TryComplete();
            foreach (var id in _invocations.Keys)
            {
                if (_invocations.TryRemove(id, out var pending))
                {
                    pending.TrySetException(new IOException("The worker's stream ended before its invocation response."));
                }
            }
        }
    }

    // gRPC allows one pending write per stream: a single loop drains the queue.
    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                await responses.WriteAsync(message, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The stream is closing; nothing more can be written to it.
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream when message.StartStream.WorkerId == workerId:
                _started.TrySetResult();
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                logs.Add(Format(message.RpcLog));
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryRemove(message.InvocationResponse.InvocationId, out var pending))
                {
                    pending.TrySetResult(message.InvocationResponse.Result ?? new StatusResult());
                }

                break;
            default:
                _startup.Writer.TryWrite(message);
                break;
        }
    }

    private static string Format(RpcLog log) =>
        log.Exception is { } exception
            ? $"{log.Level} {log.Category}: {log.Message} ({exception.Type}: {exception.Message})"
            : $"{log.Level} {log.Category}: {log.Message}";
}

/// <summary>The gRPC service the worker connects to (<c>AzureFunctionsRpcMessages.FunctionRpc/EventStream</c>).</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
