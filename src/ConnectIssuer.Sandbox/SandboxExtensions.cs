using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConnectIssuer.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Sandbox;

/// <summary>
/// <c>Sandbox:Enabled</c> (Development only): this server also serves the vendor simulations under
/// <c>/sandbox/&lt;vendor&gt;/</c> and points the real vendor clients at them, so the real handlers, clients and
/// transport run end to end with no vendor account. Only the standalone server uses it; the Functions app has no sandbox.
/// </summary>
public static class SandboxExtensions
{
    // DEVELOPMENT ONLY. Fake secrets that only the sandbox's own simulations accept; they are no credential anywhere.
    // Declared before Vendors: static initializers run in order.
    internal static IReadOnlyDictionary<string, string> AlloyDefaults { get; } = new Dictionary<string, string>
    {
        ["Secrets:AlloyApiKey"] = "sandbox-fake-alloy-api-key-not-a-real-credential",
        ["Alloy:UsernamePrefix"] = "sandbox.",
    };

    internal static IReadOnlyDictionary<string, string> FivetranDefaults { get; } = new Dictionary<string, string>
    {
        ["Secrets:FivetranApiKey"] = "sandbox-fake-fivetran-api-key",
        ["Secrets:FivetranApiSecret"] = "sandbox-fake-fivetran-api-secret-not-a-real-credential",
        ["Fivetran:GroupId"] = "sandbox_group",
        ["Fivetran:AllowedServices:0"] = "salesforce",
        ["Fivetran:AllowedServices:1"] = "hubspot",
        ["Fivetran:AllowedServices:2"] = "google_sheets",
    };

    internal static IReadOnlyDictionary<string, string> PolytomicDefaults { get; } = new Dictionary<string, string>
    {
        ["Secrets:PolytomicApiKey"] = "sandbox-fake-polytomic-api-key-not-a-real-credential",
        ["Polytomic:AllowedTypes:0"] = "salesforce",
        ["Polytomic:AllowedTypes:1"] = "hubspot",
        ["Polytomic:AllowedTypes:2"] = "postgresql",
    };

    // Membrane (Integration.app): the workspace secret its simulation checks customer tokens with, and the workspace key
    // (iss). Only used where nothing is configured (appsettings.Development.json sets both).
    internal static IReadOnlyDictionary<string, string> MembraneDefaults { get; } = new Dictionary<string, string>
    {
        ["Secrets:IntegrationAppWorkspaceSecret"] = "sandbox-fake-integration-app-workspace-secret-not-a-real-credential",
        ["IntegrationApp:WorkspaceKey"] = "sandbox-workspace-key",
    };

    /// <summary>
    /// The simulated vendors, one line each. A vendor is wired in by adding its line here: the simulation,
    /// the base URL setting the sandbox points at it, and its development defaults (below).
    /// </summary>
    public static IReadOnlyList<SandboxVendor> Vendors { get; } =
    [
        new("alloy", "Alloy:BaseUrl", c => new AlloySimulation(c["Secrets:AlloyApiKey"]!), AlloyDefaults),
        new("fivetran", "Fivetran:BaseUrl", c => new FivetranSimulation(c["Secrets:FivetranApiKey"]!, c["Secrets:FivetranApiSecret"]!, [c["Fivetran:GroupId"]!]), FivetranDefaults),
        new("polytomic", "Polytomic:BaseUrl", c => new PolytomicSimulation(c["Secrets:PolytomicApiKey"]!), PolytomicDefaults),
        new("integration-app", "IntegrationApp:ApiBaseUrl", c => new MembraneSimulation(c["Secrets:IntegrationAppWorkspaceSecret"]!, c["IntegrationApp:WorkspaceKey"]), MembraneDefaults),
    ];

    /// <summary>
    /// Registers the start-up check of <c>Sandbox:Enabled</c> and, when the sandbox is on in Development, adds the
    /// configuration that points the vendor clients at this server and creates the simulations. Call it after
    /// every other configuration source is in place: the sandbox reads the effective URLs and settings.
    /// </summary>
    /// <remarks>
    /// Besides <see cref="Vendors"/>, a <see cref="SandboxVendor"/> instance registered as a service joins the sandbox
    /// (the tests use that to check the plumbing with a simulation of their own).
    /// </remarks>
    public static WebApplicationBuilder AddSandbox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SandboxOptions>, ValidateSandboxOptions>();

        // Outside Development the validator above stops start-up; nothing of the sandbox is added.
        var enabled = builder.Configuration.GetValue<bool>($"{SandboxOptions.SectionName}:{nameof(SandboxOptions.Enabled)}");
        if (!enabled || !builder.Environment.IsDevelopment())
        {
            builder.Services.AddSingleton(new SandboxRegistry(null, []));
            return builder;
        }

        var (origin, listener) = OwnOrigin(builder);
        var vendors = Vendors
            .Concat(builder.Services.Where(d => d.ServiceType == typeof(SandboxVendor)).Select(d => d.ImplementationInstance).OfType<SandboxVendor>())
            .ToList();
        var configuration = builder.Configuration;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var vendor in vendors)
        {
            settings[vendor.BaseUrlSetting] = origin + vendor.PathBase;
            foreach (var (key, value) in vendor.Defaults.Where(d => !IsConfigured(configuration, d.Key)))
            {
                settings[key] = value;
            }
        }

        // The sample SPA served by this server sends its own origin as the redirect URL.
        var origins = configuration.GetSection(AllowedOriginsOptions.ConfigurationKey).GetChildren().ToList();
        if (!origins.Any(o => string.Equals(o.Value?.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)))
        {
            var next = origins.Select(o => int.TryParse(o.Key, CultureInfo.InvariantCulture, out var i) ? i + 1 : 0).DefaultIfEmpty(0).Max();
            settings[$"{AllowedOriginsOptions.ConfigurationKey}:{next}"] = origin;
        }

        configuration.AddInMemoryCollection(settings);
        var simulations = vendors.Select(v => (v, v.Create(configuration))).ToList();
        foreach (var (_, simulation) in simulations)
        {
            builder.Services.AddSingleton(simulation.GetType(), simulation);
        }

        // Built by the container (not an instance), so it is disposed with it: a dynamic port the server never took
        // is released even when start-up is refused.
        builder.Services.AddSingleton(_ => new SandboxRegistry(origin, simulations, listener));
        return builder;
    }

    /// <summary>Serves each simulation under <c>/sandbox/&lt;vendor&gt;/</c>, with that path as the request's path base.</summary>
    public static WebApplication MapSandbox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var registry = app.Services.GetRequiredService<SandboxRegistry>();
        if (registry.Origin is null)
        {
            return app;
        }

        // After routing: a sandbox endpoint runs with PathBase=/sandbox/<vendor> and the vendor-relative path, so the
        // links a simulation builds from PathBase (Connect Card, Connect pages) point back under the sandbox; and the
        // vendor's own status codes go out as the simulation wrote them (no problem body added by status code pages).
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<SandboxPathBase>() is { } sandbox)
            {
                context.Request.PathBase = context.Request.PathBase.Add(sandbox.Path);
                context.Request.Path = context.Request.Path.StartsWithSegments(sandbox.Path, out var rest) ? rest : context.Request.Path;
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            }

            return next(context);
        });
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SandboxExtensions));
        foreach (var (vendor, simulation) in registry.Simulations)
        {
            var path = new PathString(vendor.PathBase);
            simulation.Map(app.MapGroup(path).WithMetadata(new SandboxPathBase(path)).ExcludeFromDescription());
            SandboxLog.Serving(logger, vendor.Name, registry.Origin + vendor.PathBase, vendor.BaseUrlSetting);
        }

        return app;
    }

    /// <summary>
    /// The origin the vendor clients reach this server at, from the server's own URL setting (<c>urls</c>: <c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>, <c>Urls</c>, launch profile): the first http URL (else the first), a wildcard host read as
    /// <c>localhost</c>. A dynamic port (<c>:0</c>, as the tests use) is only known after Kestrel binds, but the
    /// vendor options are read at start-up; so the sandbox binds and listens on a dynamic port itself, pins the URL to
    /// that port and hands Kestrel this very socket (no window between choosing the port and binding it).
    /// </summary>
    internal static (string Origin, ReservedListener? Listener) OwnOrigin(WebApplicationBuilder builder)
    {
        var (url, urls) = ChooseUrl(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
        ReservedListener? listener = null;
        if (url.Port == 0)
        {
            var reserved = listener = ReservedListener.Bind(IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) ? address : IPAddress.Loopback);
            builder.Services.Configure<SocketTransportOptions>(sockets =>
            {
                var create = sockets.CreateBoundListenSocket;
                sockets.CreateBoundListenSocket = endpoint => reserved.Take(endpoint) ?? create(endpoint);
            });
            url = new UriBuilder(url) { Port = reserved.EndPoint.Port }.Uri;
            builder.WebHost.UseUrls([.. urls.Select((u, i) => i == 0 ? url.GetLeftPart(UriPartial.Authority) : u)]);
        }

        return (url.GetLeftPart(UriPartial.Authority), listener);
    }

    /// <summary>
    /// Picks the URL the sandbox is reached at from a <c>urls</c> value: the first http URL (else the first), with a
    /// wildcard host (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) read as <c>localhost</c>. Also returns every URL,
    /// the chosen one first (as given), so a dynamic port can be pinned in place.
    /// </summary>
    internal static (Uri Url, string[] Urls) ChooseUrl(string? setting)
    {
        var urls = (string.IsNullOrWhiteSpace(setting) ? "http://localhost:5000" : setting)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        var chosen = urls.FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? urls[0];
        urls.Remove(chosen);
        urls.Insert(0, chosen);
        var readable = chosen.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal);
        var url = new Uri(readable);
        if (url.Host is "0.0.0.0" or "[::]")
        {
            url = new UriBuilder(url) { Host = "localhost" }.Uri;
        }

        return (url, [.. urls]);
    }

    /// <summary>Whether a setting is configured; an array item counts as configured when its array is.</summary>
    internal static bool IsConfigured(IConfiguration configuration, string key)
    {
        var parent = ConfigurationPath.GetParentPath(key);
        var section = parent is not null && int.TryParse(ConfigurationPath.GetSectionKey(key), CultureInfo.InvariantCulture, out _)
            ? configuration.GetSection(parent)
            : configuration.GetSection(key);
        return section.Exists();
    }
}

/// <summary>
/// The simulations this server serves, and the origin the vendor clients reach them at (null: sandbox off). Owns the
/// socket of a dynamic port until Kestrel takes it.
/// </summary>
public sealed class SandboxRegistry : IDisposable
{
    private readonly ReservedListener? _listener;

    internal SandboxRegistry(
        string? origin, IReadOnlyList<(SandboxVendor Vendor, IVendorSimulation Simulation)> simulations, ReservedListener? listener = null)
    {
        Origin = origin;
        Simulations = simulations;
        _listener = listener;
    }

    public string? Origin { get; }

    public IReadOnlyList<(SandboxVendor Vendor, IVendorSimulation Simulation)> Simulations { get; }

    public void Dispose() => _listener?.Dispose();
}

/// <summary>
/// The listening socket of a dynamic port, bound at build time and handed to Kestrel once when it binds that endpoint.
/// Disposed with the services if Kestrel never took it (start-up refused before the server started).
/// </summary>
internal sealed class ReservedListener : IDisposable
{
    private Socket? _socket;

    private ReservedListener(Socket socket)
    {
        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Gets the bound address and port.</summary>
    public IPEndPoint EndPoint { get; }

    public static ReservedListener Bind(IPAddress address)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(new IPEndPoint(address, 0));
        try
        {
            // Listening from now on, so nothing else can take the port (a bound socket alone may share it on Linux).
            socket.Listen();
            return new ReservedListener(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The socket, the first time Kestrel asks for this endpoint; otherwise null.</summary>
    public Socket? Take(EndPoint endpoint) =>
        endpoint is IPEndPoint ip && ip.Equals(EndPoint) ? Interlocked.Exchange(ref _socket, null) : null;

    public void Dispose() => Interlocked.Exchange(ref _socket, null)?.Dispose();
}

/// <summary>Endpoint metadata: the sandbox path a simulation's endpoint is served under.</summary>
internal sealed record SandboxPathBase(PathString Path);

internal static partial class SandboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox: simulated {Vendor} API at {BaseUrl} ({Setting} points there; fake development secrets)")]
    public static partial void Serving(ILogger logger, string vendor, string baseUrl, string setting);
}
