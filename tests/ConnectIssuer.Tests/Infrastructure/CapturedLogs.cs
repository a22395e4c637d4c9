using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>
/// The one log capturer of the suite: an <see cref="ILoggerProvider"/> for running apps (every level, every category),
/// and typed loggers (<see cref="For{T}"/>) for unit tests. It keeps each entry's level, category, event, message,
/// exception and structured state, so tests can assert on what was (and was not) written and scan it for leaks.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public CapturedLogs() => Lines = new LineView(_entries);

    /// <summary>Gets every entry so far, in order.</summary>
    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    /// <summary>Gets every entry as one line (<c>Level Category[EventId] message exception</c>), live.</summary>
    public IReadOnlyCollection<string> Lines { get; }

    /// <summary>Gets everything a log sink could keep, all entries joined.</summary>
    public string All => string.Join('\n', _entries.Select(entry => entry.Everything));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    /// <summary>Records a line another process wrote (the Functions worker's rpc_log and output lines), as it was written.</summary>
    public void Add(string line) => _entries.Enqueue(new CapturedLog(LogLevel.None, "worker", default, line, null, []) { Verbatim = true });

    /// <summary>A logger for <typeparamref name="T"/>, for handing to a class under test.</summary>
    public ILogger<T> For<T>() => new TypedLogger<T>(CreateLogger(typeof(T).FullName!));

    public void Dispose()
    {
    }

    /// <summary>Fails when any entry (message, exception chain or structured state) contains any of the values (secrets, minted tokens).</summary>
    public void AssertNoneContain(IEnumerable<string> values)
    {
        foreach (var value in values.Where(v => v.Length >= 8))
        {
            var hit = _entries.FirstOrDefault(entry => entry.Everything.Contains(value, StringComparison.Ordinal));
            Assert.True(hit is null, $"A log entry contains a secret or token (value of length {value.Length}).");
        }
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            IReadOnlyList<KeyValuePair<string, string?>> properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? [.. pairs.Select(pair => KeyValuePair.Create(pair.Key, Convert.ToString(pair.Value, CultureInfo.InvariantCulture)))]
                : [];
            entries.Enqueue(new CapturedLog(logLevel, category, eventId, formatter(state, exception), exception, properties));
        }
    }

    private sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private sealed class LineView(ConcurrentQueue<CapturedLog> entries) : IReadOnlyCollection<string>
    {
        public int Count => entries.Count;

        public IEnumerator<string> GetEnumerator() => entries.Select(entry => entry.Line).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>One log call, as a sink would receive it.</summary>
internal sealed record CapturedLog(
    LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception, IReadOnlyList<KeyValuePair<string, string?>> State)
{
    /// <summary>Gets a value indicating whether the entry is a line from another process, kept as written.</summary>
    public bool Verbatim { get; init; }

    /// <summary>Gets the entry as one line: <c>Level Category[EventId] message exception</c>.</summary>
    public string Line => Verbatim ? Message : $"{Level} {Category}[{EventId.Id}] {Message} {Exception}";

    /// <summary>Gets everything a log sink could keep for this entry: the line, the whole exception chain and every structured value.</summary>
    public string Everything => State.Count == 0
        ? Line
        : $"{Line}\n{string.Join('\n', State.Select(pair => $"{pair.Key}={pair.Value}"))}";
}
