namespace ConnectIssuer.FunctionsHost;

/// <summary>What <see cref="FunctionsHostStandIn.StartAsync"/> runs and how.</summary>
public sealed class StandInOptions
{
    /// <summary>Gets the published Functions app: worker.config.json, functions.metadata, host.json and the worker's assembly.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>Gets the app settings (<c>local.settings.json</c> <c>Values</c>); passed as environment variables, <c>:</c> as <c>__</c>.</summary>
    public IReadOnlyDictionary<string, string?> AppSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Gets <c>AZURE_FUNCTIONS_ENVIRONMENT</c> (Core Tools sets <c>Development</c>; null leaves it unset, which means Production).</summary>
    public string? AzureFunctionsEnvironment { get; init; }

    /// <summary>Gets how long the worker has from process start until every function is loaded.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the loopback port of the HTTP front; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Gets a callback for every log line as it arrives (e.g. a console or a test output helper).</summary>
    public Action<string>? OnLog { get; init; }
}

public enum InvocationStatus
{
    /// <summary>The invocation request was sent; no invocation response (yet).</summary>
    Pending,
    Failure,
    Success,
    Cancelled,
}

/// <summary>One function invocation the stand-in started, and the status of the worker's invocation response.</summary>
public sealed record InvocationRecord(string InvocationId, string FunctionName, InvocationStatus Status);
