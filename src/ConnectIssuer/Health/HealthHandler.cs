using System.Reflection;
using System.Text.Json.Serialization;
using ConnectIssuer.Secrets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectIssuer.Health;

/// <summary>
/// One vendor's names, written once in its vendor folder: <see cref="Name"/> in problem messages (<c>Integration.app</c>),
/// <see cref="HealthKey"/> in the health response (<c>integrationApp</c>), <see cref="RouteKey"/> in issue answers and
/// audit records (<c>integration-app</c>).
/// </summary>
public sealed record VendorNames(string Name, string HealthKey, string RouteKey);

/// <summary>
/// Whether one vendor has its settings and secrets. Each vendor registers one, and its check is the one the
/// vendor's issuing path applies, so health never reports a vendor configured that its route refuses.
/// </summary>
public interface IVendorStatus
{
    VendorNames Names { get; }

    ValueTask<bool> IsConfiguredAsync(CancellationToken cancellationToken);
}

public sealed record HealthResponse(string Status, string Version, IReadOnlyDictionary<string, string> Vendors);

/// <summary><c>GET /api/health</c>: anonymous; reports configured vendors, never a secret or customer data.</summary>
public sealed class HealthHandler(IEnumerable<IVendorStatus> vendors)
{
    private static readonly string Version =
        typeof(HealthHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public async Task<Ok<HealthResponse>> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var vendor in vendors)
        {
            states[vendor.Names.HealthKey] = await StateAsync(vendor, cancellationToken);
        }

        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new HealthResponse("ok", Version, states));
    }

    private static async Task<string> StateAsync(IVendorStatus vendor, CancellationToken cancellationToken)
    {
        try
        {
            return await vendor.IsConfiguredAsync(cancellationToken) ? "configured" : "not-configured";
        }
        catch (SecretsUnavailableException)
        {
            return "secrets-unavailable";
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
