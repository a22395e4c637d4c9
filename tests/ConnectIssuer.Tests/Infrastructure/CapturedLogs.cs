using System.Collections.Concurrent;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>Records every log line (message, exception text and scope-free state) at every level, for assertions and leak scans.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    /// <summary>Fails when any captured line contains any of the values (secrets, minted tokens).</summary>
    public void AssertNoneContain(IEnumerable<string> values)
    {
        foreach (var value in values.Where(v => v.Length >= 8))
        {
            var hit = _lines.FirstOrDefault(line => line.Contains(value, StringComparison.Ordinal));
            Assert.True(hit is null, $"A log line contains a secret or token (value of length {value.Length}).");
        }
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
        }
    }
}
