using System.Diagnostics;

namespace ConnectIssuer.FunctionsHost;

/// <summary>
/// Finds the published Functions app: <c>CONNECTISSUER_FUNCTIONS_APP</c> if set, else <c>&lt;repo&gt;/artifacts/functions</c>,
/// published once (per process) when it has no functions.metadata. Never skips: a failure to publish throws.
/// </summary>
public static class PublishedApp
{
    public const string EnvironmentVariable = "CONNECTISSUER_FUNCTIONS_APP";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _located;

    public static async Task<string> LocateAsync(CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return _located ??= await LocateOnceAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The folder with Functions.sln above the running binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}; set {EnvironmentVariable} to the published app.");
    }

    private static async Task<string> LocateOnceAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "functions.metadata"))
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"{EnvironmentVariable}={configured} has no functions.metadata: publish the app there first.");
        }

        var root = RepositoryRoot();
        var app = Path.Combine(root, "artifacts", "functions");
        if (File.Exists(Path.Combine(app, "functions.metadata")))
        {
            return app;
        }

        // --disable-build-servers: no MSBuild or compiler server outlives the test run that published.
        var publish = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "publish", "src/ConnectIssuer.Functions", "-c", "Release", "-o", "artifacts/functions", "--disable-build-servers" })
        {
            publish.ArgumentList.Add(argument);
        }

        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(app, "functions.metadata")))
        {
            var lines = (await output + await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            throw new InvalidOperationException(
                $"`dotnet publish src/ConnectIssuer.Functions -c Release -o artifacts/functions` failed (exit code {process.ExitCode}) in {root}:{Environment.NewLine}"
                + string.Join(Environment.NewLine, lines.TakeLast(30)));
        }

        return app;
    }
}
