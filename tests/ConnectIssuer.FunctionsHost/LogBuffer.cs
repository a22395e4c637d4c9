namespace ConnectIssuer.FunctionsHost;

/// <summary>The worker's rpc_log messages and its stdout/stderr lines, in arrival order.</summary>
internal sealed class LogBuffer(Action<string>? onLog)
{
    private readonly List<string> _lines = [];

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }

        onLog?.Invoke(line);
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    public string Tail(int count)
    {
        var lines = Snapshot();
        return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Count - count)).Select(l => "  " + l));
    }
}
