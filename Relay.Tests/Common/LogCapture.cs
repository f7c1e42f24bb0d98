using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Relay.Tests.Common;

/// <summary>Keeps every log line (message and exception text) so a test can assert what was, or was not, logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string All => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? " {" + string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) + "}"
                : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{structured}{(exception is null ? "" : " " + exception)}");
        }
    }
}
