using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace ConnectIssuer.Functions;

/// <summary>The worker's composition. Program.cs builds and runs it; tests build the same host without running it.</summary>
public static class FunctionsAppHost
{
    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);

        // HttpRequest in, IResult out: the HTTP proxying middleware executes the handlers' TypedResults.
        builder.ConfigureFunctionsWebApplication();

        // X-Content-Type-Options on every answer, in one place (after the proxying middleware, which provides the HttpContext).
        builder.UseMiddleware<SecurityHeadersMiddleware>();

        // Application Insights for the worker, keeping every audit record and token rejection.
        builder.Services.AddWorkerTelemetry();

        // All behaviour (caller auth, rate limits, secrets, vendors, audit) lives in the core library.
        builder.Services.AddConnectIssuer();

        return builder;
    }
}
