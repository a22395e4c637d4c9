using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace ConnectIssuer.Vendors;

public static class VendorServiceCollectionExtensions
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Registers a typed vendor client on the HttpClient factory. Its handlers, outermost first:
    /// <see cref="VendorCallHandler"/> (logs, failures as <see cref="VendorApiException"/>); the resilience handler
    /// (deadline <c>Vendors:Timeout</c> over everything below, then one retry after 100 ms of a request marked
    /// <see cref="VendorMessages.Idempotent"/> on 502/503/504, a failed connection or a broken-off body);
    /// <typeparamref name="TCredentials"/> (secrets, one re-read after a 401); <see cref="VendorBodyBufferHandler"/>
    /// (the body read into at most 1 MiB). The primary handler never follows redirects (a redirect must not carry our
    /// credentials anywhere) and recycles pooled connections.
    /// </summary>
    public static IHttpClientBuilder AddVendorClient<TClient, TCredentials>(this IServiceCollection services, string vendor)
        where TClient : class
        where TCredentials : VendorCredentialsHandler
    {
        services.TryAddTransient<TCredentials>();
        var builder = services
            .AddHttpClient<TClient>(http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.MaxResponseContentBufferSize = VendorBodyBufferHandler.MaxBodyBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            })
            .AddHttpMessageHandler(sp => ActivatorUtilities.CreateInstance<VendorCallHandler>(sp, vendor));
        builder.AddResilienceHandler("vendor", (pipeline, context) =>
        {
            // VendorCallHandler logs every outcome with vendor and status; Polly's own lines would repeat them.
            pipeline.ConfigureTelemetry(NullLoggerFactory.Instance);
            pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<VendorsOptions>>().Value.Timeout);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                Delay = RetryDelay,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context)),
            });
        });
        return builder
            .AddHttpMessageHandler<TCredentials>()
            .AddHttpMessageHandler(() => new VendorBodyBufferHandler(vendor));
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, ResilienceContext context) =>
        context.GetRequestMessage()?.IsIdempotent() == true && outcome switch
        {
            { Exception: HttpRequestException } => true,
            { Exception: IOException } => !context.CancellationToken.IsCancellationRequested,
            { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
            _ => false,
        };
}
