using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;

namespace ConnectIssuer.Functions;

/// <summary>
/// Application Insights for the worker, set up so that it keeps the audit trail: every audit record
/// (<c>ConnectIssuer.Audit.AuditLog</c>, Information) and every caller-token rejection
/// (<c>ConnectIssuer.Callers.*</c>, Information) reaches Application Insights, once and unsampled.
/// </summary>
public static class WorkerTelemetry
{
    /// <summary>
    /// ConnectIssuer's own categories (audit, caller authentication, vendor flows) go to Application
    /// Insights from Information up. Everything else keeps the SDK's Warning default; Debug stays local.
    /// </summary>
    public const string ApplicationCategoryPrefix = "ConnectIssuer";

    /// <summary>The audit trail: pinned at Information, so a logging setting for these categories cannot lower them.</summary>
    public static IReadOnlyList<string> AuditTrailCategories { get; } =
    [
        typeof(AuditLog).FullName!,
        typeof(OidcCallerAuthenticator).FullName!,
        typeof(EasyAuthCallerAuthenticator).FullName!,
        typeof(DevelopmentCallerAuthenticator).FullName!,
    ];

    /// <summary>
    /// Adds the Application Insights SDK (authenticated with Entra ID through
    /// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>, which <c>ConfigureFunctionsApplicationInsights</c> reads)
    /// with the two defaults that would lose audit records turned off.
    /// </summary>
    public static IServiceCollection AddWorkerTelemetry(this IServiceCollection services)
    {
        // Adaptive sampling (on by default in the WorkerService SDK) samples traces, so it would drop audit
        // records under load. Excluding traces would mean rebuilding the SDK's processor chain after the
        // fact; this service sends a few telemetry items per issued token, so it samples nothing instead.
        // The host's own telemetry (requests) is sampled by host.json, which excludes requests.
        services.AddApplicationInsightsTelemetryWorkerService(options => options.EnableAdaptiveSampling = false)
            .ConfigureFunctionsApplicationInsights();

        // The WorkerService SDK inserts a rule that passes only Warning and above to Application Insights,
        // which drops the Information-level audit records and token rejections. A rule for a longer
        // category prefix wins over it; among equal rules the last one added wins, and these come after
        // the rules read from configuration (Logging:ApplicationInsights:LogLevel:*).
        services.AddLogging(logging =>
        {
            logging.AddFilter<ApplicationInsightsLoggerProvider>(ApplicationCategoryPrefix, LogLevel.Information);
            foreach (var category in AuditTrailCategories)
            {
                logging.AddFilter<ApplicationInsightsLoggerProvider>(category, LogLevel.Information);
            }
        });
        return services;
    }
}
