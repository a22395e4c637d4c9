using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.FileProviders;

namespace ConnectIssuer.Server.SampleSpa;

/// <summary>
/// Development only: serves the sample SPA (<c>samples/spa</c>, plain files, no build step) at <c>/</c>, plus
/// <c>GET /sample/config</c> with the choices the page offers. The files ship in the build and publish output
/// (<c>samples/spa/</c> beside the app, see the project file), so a published folder or a container run from anywhere
/// serves the page like <c>dotnet run</c>; an edit in the repository shows after the next build.
/// </summary>
public static partial class SampleSpaExtensions
{
    /// <summary>The folder of the sample, relative to the repository root.</summary>
    public const string RelativePath = "samples/spa";

    public static WebApplication MapSampleSpa(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsDevelopment())
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SampleSpaExtensions));
        var folder = Find(AppContext.BaseDirectory, app.Environment.ContentRootPath);
        if (folder is null)
        {
            LogNotFound(logger, RelativePath);
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                // A sample that shows what a careful SPA host sends: no inline script, no framing (nosniff comes from the
                // server's one security-headers middleware, like every other answer).
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        app.MapGet("/sample/config", (IConfiguration configuration) => TypedResults.Json(
                new SampleConfig(
                    configuration["Auth:Mode"] ?? "Oidc",
                    configuration.GetSection("Fivetran:AllowedServices").Get<string[]>() ?? [],
                    configuration.GetSection("Polytomic:AllowedTypes").Get<string[]>() ?? [],
                    // Membrane's UI is simulated next to its API in the sandbox; elsewhere the page uses Membrane's own UI host.
                    configuration.GetValue<bool>("Sandbox:Enabled") ? configuration["IntegrationApp:ApiBaseUrl"] : null),
                SampleSpaJsonContext.Default.SampleConfig))
            .ExcludeFromDescription();
        LogServing(logger, folder);
        return app;
    }

    /// <summary>
    /// Looks for <c>samples/spa/index.html</c> in the app's own folder (the copy in the build or publish output) first,
    /// then in and above the content root (a repository checkout whose build output lacks the copy).
    /// </summary>
    internal static string? Find(string appFolder, string contentRoot)
    {
        var shipped = Path.Combine(appFolder, RelativePath);
        if (File.Exists(Path.Combine(shipped, "index.html")))
        {
            return shipped;
        }

        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
            {
            var candidate = Path.Combine(directory.FullName, RelativePath);
            if (File.Exists(Path.Combine(candidate, "index.html")))
            {
                return candidate;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample SPA: serving {Folder} at /")]
    private static partial void LogServing(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample SPA: {Path} not found in the app folder or above the content root; / is not served")]
    private static partial void LogNotFound(ILogger logger, string path);
}

/// <summary>
/// What the sample page may offer: the caller mode, the Fivetran services and Polytomic types allowed, and where Membrane's
/// UI (the reconnect link) is when the sandbox simulates it (null: Membrane's own UI host).
/// </summary>
internal sealed record SampleConfig(string AuthMode, string[] FivetranServices, string[] PolytomicTypes, string? MembraneUiBase);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SampleConfig))]
internal sealed partial class SampleSpaJsonContext : JsonSerializerContext;
