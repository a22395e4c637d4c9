using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Server.OpenApi;
using ConnectIssuer.Server.SampleSpa;
using ConnectIssuer.Sandbox;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Server;

/// <summary>Builds the standalone server. Program.cs and the end-to-end tests both start it through here.</summary>
public static class ServerApp
{
    public const string CorsPolicy = "spa";

    /// <summary>The request headers a browser may send cross-origin; the X-Customer-* headers join them in Development only.</summary>
    private static readonly string[] CorsHeaders = ["Authorization", "Content-Type", "Idempotency-Key"];

    /// <summary>
    /// Set by <c>dotnet run</c> to the launch profile it applies. With it, and no environment named by the caller, the
    /// server runs as Development. The profile cannot set <c>ASPNETCORE_ENVIRONMENT</c> or <c>DOTNET_ENVIRONMENT</c>
    /// itself: its variables override the shell's, and <c>DOTNET_ENVIRONMENT</c> overrides <c>ASPNETCORE_ENVIRONMENT</c>,
    /// so <c>ASPNETCORE_ENVIRONMENT=Production dotnet run …</c> would still run as Development.
    /// </summary>
    public const string LaunchProfileVariable = "DOTNET_LAUNCH_PROFILE";

    public static WebApplication Create(WebApplicationOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(WithAppFolderContentRoot(WithLaunchProfileEnvironment(options, Environment.GetEnvironmentVariable)));

        // All behaviour, exactly as under the Functions host
        builder.Services.AddConnectIssuer();

        // What only this host adds: CORS from AllowedOrigins, problem responses for unknown routes, HSTS on https,
        // and the refusal of Auth:Mode=EasyAuth (no App Service Authentication in front of this server).
        builder.Services.AddSingleton<IValidateOptions<CallerAuthenticationOptions>, StandaloneServerCallerRules>();
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = FrameworkProblems.AddContractFields);
        builder.Services.AddCors();
        string[] corsHeaders = builder.Environment.IsDevelopment()
            ? [.. CorsHeaders, DevelopmentCallerAuthenticator.CustomerIdHeader, DevelopmentCallerAuthenticator.CustomerNameHeader, DevelopmentCallerAuthenticator.CustomerAdminHeader]
            : CorsHeaders;
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<AllowedOriginsOptions>>((cors, origins) => cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins(origins.Value.Origins)
                .WithMethods("GET", "POST")
                .WithHeaders(corsHeaders)
                .WithExposedHeaders("Retry-After", "WWW-Authenticate")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        builder.Services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        builder.Services.AddConnectIssuerOpenApi();
        configure?.Invoke(builder);

        // Last, so it sees the effective URLs and settings: Development-only simulated vendors (Sandbox:Enabled)
        builder.AddSandbox();

        var app = builder.Build();
        app.Use(static (context, next) =>
        {
            // Before anything can answer, and at the last moment: the exception handler clears headers set earlier.
            context.Response.OnStarting(static state => { SecurityHeaders.Apply((HttpResponse)state); return Task.CompletedTask; }, context.Response);
            return next(context);
        });
        if (!app.Environment.IsDevelopment())
        {
            // Strict-Transport-Security on https answers only (and not for localhost); http answers are unchanged.
            app.UseHsts();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors(CorsPolicy);
        app.MapSampleSpa();
        app.MapSandbox();
        app.MapConnectIssuer();
        app.MapConnectIssuerOpenApi();
        return app;
    }

    /// <summary>
    /// Without an explicit content root (option, <c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c> or
    /// <c>DOTNET_CONTENTROOT</c>), the app's own folder rather than the current directory: <c>appsettings*.json</c> and
    /// the sample SPA ship there, so <c>dotnet /any/path/ConnectIssuer.Server.dll</c> run from anywhere (a published
    /// folder, a container with another working directory) reads the same settings as <c>dotnet run</c>.
    /// </summary>
    internal static WebApplicationOptions WithAppFolderContentRoot(WebApplicationOptions options)
    {
        var named = options.ContentRootPath is not null
            || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is { Length: > 0 }
            || (options.Args ?? []).Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));
        return named ? options : Copy(options, AppContext.BaseDirectory, options.EnvironmentName);
    }

    /// <summary>Development when started through a launch profile (<see cref="LaunchProfileVariable"/>) and no environment is named.</summary>
    internal static WebApplicationOptions WithLaunchProfileEnvironment(WebApplicationOptions options, Func<string, string?> variable)
    {
        var named = options.EnvironmentName is not null
            || variable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 }
            || variable("DOTNET_ENVIRONMENT") is { Length: > 0 }
            || (options.Args ?? []).Any(a => a.StartsWith("--environment", StringComparison.OrdinalIgnoreCase));
        return named || variable(LaunchProfileVariable) is not { Length: > 0 }
            ? options
            : Copy(options, options.ContentRootPath, Environments.Development);
    }

    /// <summary>The same options with another content root and environment (the options type has no copy of its own).</summary>
    private static WebApplicationOptions Copy(WebApplicationOptions options, string? contentRootPath, string? environmentName) => new()
    {
        Args = options.Args,
        ApplicationName = options.ApplicationName,
        ContentRootPath = contentRootPath,
        WebRootPath = options.WebRootPath,
        EnvironmentName = environmentName,
    };
}
