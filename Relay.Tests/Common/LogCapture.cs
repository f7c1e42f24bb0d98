using System.Collections;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Relay.Tests.Common;

/// <summary>
/// Keeps every log line (level, category, message, structured values and exception text) so a test can assert what
/// was, or was not, logged. Every test host calls <see cref="AssertNoErrors"/> when it is disposed: an Error or
/// Critical line nobody declared fails the test (as ASP.NET Core's own tests do with VerifyNoErrorsScope).
/// </summary>
public sealed class LogCapture : ILoggerProvider, IEnumerable<string>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string All => string.Join('\n', _lines);

    /// <summary>The Error and Critical lines.</summary>
    public IEnumerable<string> Errors => _lines.Where(IsError);

    /// <summary>
    /// Where each line is also written as it is logged, one line per entry (a chat host running as a child process
    /// echoes to its stdout, which <see cref="Hosts.ChildProcessHost"/> reads back).
    /// </summary>
    public TextWriter? Echo { get; set; }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>Records a line already in this capture's form (<c>Level Category: message</c>), e.g. one read from a child process.</summary>
    public void Add(string line)
    {
        _lines.Enqueue(line);
        if (Echo is { } echo)
        {
            // Continuation lines (stack traces) are indented so a reader never takes them for an entry of their own.
            lock (echo) echo.WriteLine(line.ReplaceLineEndings("\n    "));
        }
    }

    /// <summary>Forgets what was captured so far (long soak tests keep memory flat).</summary>
    public void Clear() => _lines.Clear();

    /// <summary>Fails unless every Error or Critical line contains one of <paramref name="allowed"/> (the errors a test provokes on purpose).</summary>
    public void AssertNoErrors(params string[] allowed)
    {
        var unexpected = Errors.Where(line => !allowed.Any(a => line.Contains(a, StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "unexpected error logs:\n" + string.Join("\n", unexpected));
    }

    public IEnumerator<string> GetEnumerator() => _lines.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
    }

    private static bool IsError(string line) =>
        line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal);

    private sealed class Logger(string category, LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? " {" + string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) + "}"
                : "";
            capture.Add($"{logLevel} {category}: {formatter(state, exception)}{structured}{(exception is null ? "" : " " + exception)}");
        }
    }
}
