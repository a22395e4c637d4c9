using ConnectIssuer.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary>
/// The Fivetran simulation, except that <c>POST /v1/connections</c> fails: with <paramref name="status"/> and an error body,
/// or (status 0) by never answering. Lets a test fail the create while the look-ups around it succeed.
/// </summary>
internal sealed class FailingCreates(IVendorSimulation inner, int status) : IVendorSimulation
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public void Map(IEndpointRouteBuilder routes)
    {
        ((IApplicationBuilder)routes).Use(async (context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/v1/connections")
            {
                await next(context);
                return;
            }

            Interlocked.Increment(ref _attempts);
            if (status == 0)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            if (status == 429)
            {
                context.Response.Headers.RetryAfter = "30";
            }

            await context.Response.WriteAsync("""{"code":"InvalidInput","message":"vendor-raw-body-marker"}""");
        });
        inner.Map(routes);
    }
}
