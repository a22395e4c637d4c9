using ConnectIssuer.Http;
using ConnectIssuer.Server.OpenApi;
using ConnectIssuer.Server.SampleSpa;
using ConnectIssuer.Server.Sandbox;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Server;

/// <summary>Builds the standalone server. Program.cs and the end-to-end tests both start it through here.</summary>
public static class ServerApp
{
    public const string CorsPolicy = "spa";

    public static WebApplication Create(WebApplicationOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(options);

        // All behaviour, exactly as under the Functions host
        builder.Services.AddConnectIssuer();

        // What only this host adds: CORS from AllowedOrigins, problem responses for unknown routes
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = FrameworkProblems.AddContractFields);
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<AllowedOriginsOptions>>((cors, origins) => cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins(origins.Value.Origins)
                .WithMethods("GET", "POST")
                .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Customer-Id", "X-Customer-Name", "X-Customer-Admin")
                .WithExposedHeaders("Retry-After", "WWW-Authenticate")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        builder.Services.AddConnectIssuerOpenApi();
        configure?.Invoke(builder);

        // Last, so it sees the effective URLs and settings: Development-only simulated vendors (Sandbox:Enabled)
        builder.AddSandbox();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors(CorsPolicy);
        app.MapSampleSpa();
        app.MapSandbox();
        app.MapConnectIssuer();
        app.MapConnectIssuerOpenApi();
        return app;
    }
}
