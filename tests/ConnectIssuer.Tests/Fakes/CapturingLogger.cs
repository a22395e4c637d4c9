using System.Collections.Concurrent;

namespace ConnectIssuer.Tests.Fakes;

/// <summary>Records every log call, so tests can assert on what was (and was not) written.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue(new CapturedLog(logLevel, eventId, formatter(state, exception), exception));
}

public sealed record CapturedLog(LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    /// <summary>Gets everything a log sink could write for this entry: the message and the whole exception chain.</summary>
    public string Everything => Exception is null ? Message : $"{Message}\n{Exception}";
}
