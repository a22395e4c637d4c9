using System.Text.Json;
using ConnectIssuer.FunctionsHost;

// `dotnet run --project tests/ConnectIssuer.FunctionsHost -- [--port 7071] [--settings local.settings.json] [--app artifacts/functions]`
// serves the published Functions app like `func start`: Development environment, app settings from local.settings.json Values.
var port = 7071;
string? settingsPath = null;
string? appDirectory = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--settings": settingsPath = args[i + 1]; break;
        case "--app": appDirectory = args[i + 1]; break;
        default: Console.Error.WriteLine($"Unknown option {args[i]}. Options: --port N, --settings path, --app path."); return 2;
    }
}

if (args.Length % 2 != 0)
{
    Console.Error.WriteLine($"Option {args[^1]} needs a value.");
    return 2;
}

var defaultSettings = Path.Combine(PublishedApp.RepositoryRoot(), "src", "ConnectIssuer.Functions", "local.settings.json");
settingsPath ??= File.Exists(defaultSettings) ? defaultSettings : null;
var settings = new Dictionary<string, string?>();
if (settingsPath is not null)
{
    using var document = JsonDocument.Parse(File.ReadAllText(settingsPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
    if (document.RootElement.TryGetProperty("Values", out var values))
    {
        foreach (var value in values.EnumerateObject())
        {
            settings[value.Name] = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : value.Value.GetRawText();
        }
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

Console.WriteLine($"App settings: {settingsPath ?? "none (no local.settings.json)"}");
await using var host = await FunctionsHostStandIn.StartAsync(new StandInOptions
{
    AppDirectory = appDirectory ?? await PublishedApp.LocateAsync(stop.Token),
    AppSettings = settings,
    AzureFunctionsEnvironment = "Development",
    Port = port,
    OnLog = Console.WriteLine,
}, stop.Token);

Console.WriteLine($"Functions app on {host.BaseAddress} (all functions loaded {host.ProcessStartedToAllLoaded.TotalMilliseconds:0} ms after the worker started). Ctrl+C to stop.");

// The same timings in one parseable line (bench/functions-host.sh reads it).
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
    $"standin-timings worker_pid={host.WorkerProcessId} worker_started_unix_ms={host.WorkerStartedAt.ToUnixTimeMilliseconds()} all_loaded_ms={host.ProcessStartedToAllLoaded.TotalMilliseconds:0} front_listening_ms={host.ProcessStartedToFrontListening.TotalMilliseconds:0}"));
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C
}

return 0;
