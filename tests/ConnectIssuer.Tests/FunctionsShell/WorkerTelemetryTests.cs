using ConnectIssuer.Audit;
using ConnectIssuer.Callers;
using ConnectIssuer.Functions;
using ConnectIssuer.Tests.Fakes;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.ApplicationInsights;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.FunctionsShell;

/// <summary>
/// The worker's real host, built the way Program.cs builds it (not run: no gRPC, no Azure), must send
/// the audit records and the caller-token rejections to Application Insights, unsampled.
/// </summary>
public sealed class WorkerTelemetryTests
{
    // A syntactically valid connection string that points nowhere: building the host reads it, nothing is sent.
    private const string DummyConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";

    // Written out rather than read from WorkerTelemetry, so the test states what must get through.
    public static TheoryData<string> AuditTrailCategories =>
    [
        typeof(AuditLog).FullName!,
        typeof(OidcCallerAuthenticator).FullName!,
        typeof(EasyAuthCallerAuthenticator).FullName!,
        typeof(DevelopmentCallerAuthenticator).FullName!,
    ];

    [Theory]
    [MemberData(nameof(AuditTrailCategories))]
    public void LoggerFilterRules_LetTheAuditTrailCategoryReachApplicationInsightsAtInformation(string category)
    {
        using var host = BuildWorkerHost();
        using var applicationInsightsOnly = ApplicationInsightsOnlyLoggerFactory(host);

        var logger = applicationInsightsOnly.CreateLogger(category);

        Assert.True(logger.IsEnabled(LogLevel.Information), $"{category} at Information is filtered out before Application Insights");
        Assert.False(logger.IsEnabled(LogLevel.Debug), $"{category} at Debug would reach Application Insights");
    }

    [Theory]
    [MemberData(nameof(AuditTrailCategories))]
    public void LoggerFilterRules_ALoggingSettingCannotLowerTheAuditTrail(string category)
    {
        using var host = BuildWorkerHost(new() { [$"Logging:ApplicationInsights:LogLevel:{category}"] = "None" });
        using var applicationInsightsOnly = ApplicationInsightsOnlyLoggerFactory(host);

        Assert.True(applicationInsightsOnly.CreateLogger(category).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void LoggerFilterRules_ALoggingSettingStillTunesOtherCategories()
    {
        using var host = BuildWorkerHost(new() { ["Logging:ApplicationInsights:LogLevel:Microsoft.AspNetCore"] = "Error" });
        using var applicationInsightsOnly = ApplicationInsightsOnlyLoggerFactory(host);

        Assert.False(applicationInsightsOnly.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void LoggerFilterRules_KeepTheWarningDefaultForFrameworkCategories()
    {
        using var host = BuildWorkerHost();
        using var applicationInsightsOnly = ApplicationInsightsOnlyLoggerFactory(host);

        var logger = applicationInsightsOnly.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void Sampling_IsOffInTheWorker()
    {
        using var host = BuildWorkerHost();

        var options = host.Services.GetRequiredService<IOptions<ApplicationInsightsServiceOptions>>().Value;
        var configuration = host.Services.GetRequiredService<TelemetryConfiguration>();
        var processors = configuration.DefaultTelemetrySink.TelemetryProcessors.Concat(configuration.TelemetryProcessors).ToList();

        Assert.NotEmpty(processors); // the chain was built (it ends with the transmission processor)
        Assert.DoesNotContain(processors, p => p is AdaptiveSamplingTelemetryProcessor or SamplingTelemetryProcessor);
        Assert.False(options.EnableAdaptiveSampling);
    }

    [Fact]
    public async Task AuditRecordAndTokenRejection_ReachTheTelemetryChannel()
    {
        using var host = BuildWorkerHost();
        var channel = new CapturingTelemetryChannel();
        host.Services.GetRequiredService<TelemetryConfiguration>().TelemetryChannel = channel;
        const string IssuedToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.issued-token-signature";

        host.Services.GetRequiredService<AuditLog>().Record("integration-app/token", "integration-app", "org_42", "user-1", "issued", IssuedToken);
        var request = new DefaultHttpContext().Request;
        request.Headers.Authorization = "Bearer not-a-jwt";
        await Assert.ThrowsAnyAsync<Exception>(() => host.Services.GetRequiredService<ICallerAuthenticator>().AuthenticateAsync(request, CancellationToken.None).AsTask());

        var traces = channel.Items.OfType<TraceTelemetry>().ToList();
        var audit = Assert.Single(traces, t => t.Message.StartsWith("Audit: integration-app/token", StringComparison.Ordinal));
        Assert.Equal(SeverityLevel.Information, audit.SeverityLevel);
        Assert.Contains($"token_sha256={AuditLog.Fingerprint(IssuedToken)}", audit.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(AuditLog).FullName, audit.Properties["CategoryName"]);
        var rejection = Assert.Single(traces, t => t.Message.StartsWith("Caller token rejected:", StringComparison.Ordinal));
        Assert.Equal(SeverityLevel.Information, rejection.SeverityLevel);
        Assert.DoesNotContain(channel.Items.OfType<ISupportProperties>(), t => t.Properties.Values.Any(v => v.Contains(IssuedToken, StringComparison.Ordinal)));
        Assert.DoesNotContain(traces, t => t.Message.Contains(IssuedToken, StringComparison.Ordinal) || t.Message.Contains("not-a-jwt", StringComparison.Ordinal));
    }

    [Fact]
    public void WorkerCapabilities_TellTheHostThatTheWorkerSendsItsOwnLogsToApplicationInsights()
    {
        using var host = BuildWorkerHost();

        // With this capability the host drops the worker's forwarded logs from its own Application Insights pipeline.
        var capabilities = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities;

        Assert.Equal(bool.TrueString, capabilities["WorkerApplicationInsightsLoggingEnabled"]);
    }

    [Fact]
    public void HostJson_KeepsTheHostFromLoggingTheWorkersInformationLogsAgain()
    {
        // The host reads host.json's "logging" section as .NET logging configuration; do the same here.
        var hostJson = Path.Combine(FunctionsShellTests.RepositoryRoot(), "host.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(hostJson).Build();
        var services = new ServiceCollection().AddLogging(logging => logging.AddConfiguration(configuration.GetSection("logging")));
        using var provider = services.BuildServiceProvider();
        var filters = provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value;
        using var factory = new LoggerFactory([new EnabledLoggerProvider()], filters);

        // The worker's logs come back to the host as Function.<name>.User; the worker already sent them to Application Insights.
        Assert.False(factory.CreateLogger("Function.IntegrationAppToken.User").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Function.IntegrationAppToken.User").IsEnabled(LogLevel.Warning));
        // The host's own invocation logs are untouched.
        Assert.True(factory.CreateLogger("Function.IntegrationAppToken").IsEnabled(LogLevel.Information));
        Assert.Equal("api", configuration["extensions:http:routePrefix"]);
    }

    /// <summary>The host Program.cs builds, with the settings the worker would get as app settings; never started.</summary>
    private static IHost BuildWorkerHost(Dictionary<string, string?>? settings = null)
    {
        var builder = FunctionsAppHost.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = DummyConnectionString,
            ["Auth:Mode"] = "Oidc",
            ["Auth:Authority"] = "https://login.example.test/tenant/v2.0",
            ["Auth:Audiences:0"] = "api://connect-issuer",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        return builder.Build();
    }

    /// <summary>A logger factory with only the host's Application Insights provider and the host's resolved filter rules.</summary>
    private static LoggerFactory ApplicationInsightsOnlyLoggerFactory(IHost host)
    {
        var filters = host.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value;
        var provider = host.Services.GetServices<ILoggerProvider>().OfType<ApplicationInsightsLoggerProvider>().Single();
        return new LoggerFactory([provider], filters);
    }

    /// <summary>A provider whose loggers accept every level, so only the filter rules decide.</summary>
    private sealed class EnabledLoggerProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }
}
