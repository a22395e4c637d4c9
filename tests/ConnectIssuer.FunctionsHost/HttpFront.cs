using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using ConnectIssuer.FunctionsHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace ConnectIssuer.FunctionsHost;

/// <summary>One function with an httpTrigger, as the worker's metadata describes it.</summary>
internal sealed record HttpFunction(string FunctionId, string Name, string BindingName, IReadOnlySet<string>? Methods, RouteTemplate Template)
{
    public TemplateMatcher Matcher { get; } = new(Template, new RouteValueDictionary(
        Template.Parameters.Where(p => p.DefaultValue is not null).ToDictionary(p => p.Name!, p => p.DefaultValue)));

    /// <summary>
    /// The httpTrigger of a function: route = <c>{routePrefix}/{route ?? name}</c>, no methods = every method
    /// (as the worker's own <c>FunctionsEndpointDataSource.MapHttpFunction</c> reads the same raw bindings).
    /// </summary>
    public static HttpFunction? From(RpcFunctionMetadata metadata, string routePrefix)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            if (!string.Equals(Text(root, "type"), "httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var route = Text(root, "route") ?? metadata.Name;
            var methods = Property(root, "methods") is { ValueKind: JsonValueKind.Array } list
                ? list.EnumerateArray().Select(m => m.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase)
                : null;
            var template = TemplateParser.Parse(routePrefix.Length == 0 ? route : $"{routePrefix}/{route}");
            return new HttpFunction(metadata.FunctionId, metadata.Name, Text(root, "name") ?? "req", methods, template);
        }

        return null;
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.EnumerateObject().Where(p => p.NameEquals(name) || string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}

/// <summary>
/// The HTTP side of the host for a worker that proxies HTTP (azure-functions-host
/// <c>src/WebJobs.Script.Grpc/Server/DefaultHttpProxyService.cs</c> and <c>RetryProxyHandler.cs</c>): match the
/// route, forward the request to the worker's <c>HttpUri</c> with <c>x-ms-invocation-id</c> while sending the
/// invocation request, return the worker's response.
/// </summary>
internal sealed class HttpFront : IDisposable
{
    private const string InvocationIdHeader = "x-ms-invocation-id";

    // YARP's hop-by-hop list (RequestUtilities), never copied in either direction.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade",
    };

    // Set by the stand-in (Host is the destination's, as with YARP's default transforms; the body is re-sent whole).
    private static readonly HashSet<string> SetByProxy = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", InvocationIdHeader, "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
    };

    private readonly IReadOnlyList<HttpFunction> _functions;
    private readonly Uri _workerUri;
    private readonly WorkerChannel _channel;
    private readonly ConcurrentDictionary<string, InvocationRecord> _invocations;
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false });

    public HttpFront(IEnumerable<HttpFunction> functions, Uri workerUri, WorkerChannel channel, ConcurrentDictionary<string, InvocationRecord> invocations)
    {
        // Most specific template first, as ASP.NET Core routing orders routes.
        _functions = [.. functions.OrderBy(f => RoutePrecedence.ComputeInbound(f.Template))];
        _workerUri = workerUri;
        _channel = channel;
        _invocations = invocations;
    }

    public void Dispose() => _invoker.Dispose();

    public async Task HandleAsync(HttpContext context)
    {
        if (Match(context.Request) is not var (function, routeValues))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;   // empty, like the host for an unknown route
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        _invocations[invocationId] = new InvocationRecord(invocationId, function.Name, InvocationStatus.Pending);
        var aborted = context.RequestAborted;

        // Buffered so that a connection the worker's Kestrel refuses (not listening yet) can be retried.
        byte[]? body = null;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, aborted);
            body = buffer.ToArray();
        }

        var invocation = _channel.InvokeAsync(CreateInvocation(context.Request, function, invocationId, routeValues, body));
        try
        {
            using var response = await ForwardAsync(context, invocationId, body, aborted);
            if (response is null)
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;   // YARP's answer when the destination cannot be reached
                _channel.Cancel(invocationId);
                return;
            }

            // The response is read completely and the invocation response awaited before the client gets anything,
            // so a test that has its response also has the invocation's status.
            var content = await response.Content.ReadAsByteArrayAsync(aborted);
            var result = await invocation.WaitAsync(aborted);
            _invocations[invocationId] = _invocations[invocationId] with
            {
                Status = result.Status switch
                {
                    StatusResult.Types.Status.Success => InvocationStatus.Success,
                    StatusResult.Types.Status.Cancelled => InvocationStatus.Cancelled,
                    _ => InvocationStatus.Failure,
                },
            };

            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(header.Key))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            await context.Response.Body.WriteAsync(content, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            _channel.Cancel(invocationId);
        }
    }

    private (HttpFunction Function, RouteValueDictionary RouteValues)? Match(HttpRequest request)
    {
        foreach (var function in _functions.Where(f => f.Methods is null || f.Methods.Contains(request.Method)))
        {
            var values = new RouteValueDictionary();
            if (function.Matcher.TryMatch(request.Path, values))
            {
                return (function, values);
            }
        }

        return null;
    }

    private async Task<HttpResponseMessage?> ForwardAsync(HttpContext context, string invocationId, byte[]? body, CancellationToken cancellationToken)
    {
        var delay = 50;
        for (var attempt = 1; ; attempt++)
        {
            using var request = CreateForward(context, invocationId, body);
            try
            {
                return await _invoker.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                if (attempt == 10)
                {
                    return null;
                }

                // RetryProxyHandler: 10 attempts, 50 ms doubling up to 250 ms.
                await Task.Delay(delay, cancellationToken);
                delay = Math.Min(delay * 2, 250);
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }
    }

    private HttpRequestMessage CreateForward(HttpContext context, string invocationId, byte[]? body)
    {
        var source = context.Request;
        var request = new HttpRequestMessage(new HttpMethod(source.Method), new Uri(_workerUri, source.PathBase.Add(source.Path).ToUriComponent() + source.QueryString.ToUriComponent()))
        {
            Content = body is null ? null : new ByteArrayContent(body),
        };
        foreach (var header in source.Headers.Where(h => !HopByHop.Contains(h.Key) && !SetByProxy.Contains(h.Key)))
        {
            if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        // The host adds the header with TryAdd; here it is always the stand-in's own id, so pairing cannot be confused.
        request.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);

        // YARP's default X-Forwarded transforms ("Set"); the worker applies them with UseForwardedHeaders.
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", source.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", source.Host.Value);
        if (source.PathBase.HasValue)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", source.PathBase.Value);
        }

        return request;
    }

    /// <summary>
    /// The invocation request the host sends for a proxied HTTP trigger (azure-functions-host
    /// <c>src/WebJobs.Script.Grpc/Extensions/ScriptInvocationContextExtensions.cs</c>, <c>ToRpcHttp</c>): an empty
    /// <c>http</c> for the trigger, and as trigger metadata the binding data of the HTTP extension
    /// (azure-webjobs-sdk-extensions <c>HttpTriggerAttributeBindingProvider.GetRequestBindingDataAsync</c>): top-level
    /// properties of a JSON body, then query parameters (except <c>code</c>), then route values, then <c>Query</c>
    /// and <c>Headers</c>. The worker binds function parameters such as <c>string connectionId</c> from these.
    /// </summary>
    private static InvocationRequest CreateInvocation(HttpRequest source, HttpFunction function, string invocationId, RouteValueDictionary routeValues, byte[]? body)
    {
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = TraceParent(source) },
        };
        request.InputData.Add(new ParameterBinding { Name = function.BindingName, Data = new TypedData { Http = new RpcHttp() } });

        var metadata = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in JsonBodyProperties(body))
        {
            metadata[name] = value;
        }

        foreach (var (name, value) in source.Query.Where(q => !q.Key.Equals("code", StringComparison.OrdinalIgnoreCase)))
        {
            metadata[name] = new TypedData { String = value.ToString() };
        }

        foreach (var (name, value) in routeValues.Where(v => v.Value is not null))
        {
            metadata[name] = new TypedData { String = Convert.ToString(value, CultureInfo.InvariantCulture) };
        }

        metadata.TryAdd("Query", new TypedData { Json = JsonSerializer.Serialize(source.Query.ToDictionary(q => q.Key, q => q.Value.ToString())) });
        metadata.TryAdd("Headers", new TypedData { Json = JsonSerializer.Serialize(source.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())) });
        request.TriggerMetadata.Add(metadata);
        return request;
    }

    private static IEnumerable<(string Name, TypedData Value)> JsonBodyProperties(byte[]? body)
    {
        JsonElement root;
        try
        {
            if (body is not { Length: > 0 })
            {
                yield break;
            }

            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            yield break;   // not JSON: no binding data, as in the extension
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var property in root.EnumerateObject())
        {
            TypedData? value = property.Value.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                JsonValueKind.String => new TypedData { String = property.Value.GetString() },
                JsonValueKind.True => new TypedData { String = "True" },    // Newtonsoft's (string)JValue
                JsonValueKind.False => new TypedData { String = "False" },
                JsonValueKind.Number => new TypedData { String = property.Value.GetRawText() },
                _ => new TypedData { Json = property.Value.GetRawText() },
            };
            if (value is not null)
            {
                yield return (property.Name, value);
            }
        }
    }

    /// <summary>The worker reads trace_parent without a null check: continue the caller's trace, or start one.</summary>
    private static string TraceParent(HttpRequest request)
    {
        var traceId = ActivityContext.TryParse(request.Headers.TraceParent, request.Headers.TraceState, out var caller)
            ? caller.TraceId
            : ActivityTraceId.CreateRandom();
        return $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }
}
