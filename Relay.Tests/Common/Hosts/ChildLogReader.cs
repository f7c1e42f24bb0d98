using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// Turns a child process's console output into <see cref="LogCapture"/> lines (<c>Level Category: message</c>): the
/// simple console formatter's entries (<c>fail: Category[event]</c> with the message and exception indented below),
/// JSON console lines (<c>Relay:Logging:Json</c>), lines a <see cref="LogCapture"/> echoed, and the runtime's
/// "Unhandled exception." (as Critical). Other output (the banner, ffmpeg noise) is not a log entry.
/// </summary>
public sealed partial class ChildLogReader(LogCapture logs)
{
    private StringBuilder? _entry;

    /// <summary>Reads one line of output; not thread-safe (the caller serialises stdout and stderr).</summary>
    public void Read(string line)
    {
        if (ConsoleHeader().Match(line) is { Success: true } header)
        {
            End();
            _entry = new StringBuilder($"{LevelName(header.Groups[1].Value)} {header.Groups[2].Value}:");
            return;
        }

        if (_entry is not null && line.StartsWith("      ", StringComparison.Ordinal))
        {
            _entry.Append(' ').Append(line.Trim());
            return;
        }

        End();
        if (CaptureLine().IsMatch(line))
        {
            logs.Add(line);
        }
        else if (line.StartsWith('{') && JsonEntry(line) is { } json)
        {
            logs.Add(json);
        }
        else if (line.StartsWith("Unhandled exception.", StringComparison.Ordinal))
        {
            logs.Add("Critical " + line);
        }
    }

    /// <summary>Records the entry still being read (the output ended).</summary>
    public void End()
    {
        if (_entry is not null) logs.Add(_entry.ToString());
        _entry = null;
    }

    private static string? JsonEntry(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            return root.TryGetProperty("LogLevel", out var level) && root.TryGetProperty("Category", out var category)
                ? $"{level.GetString()} {category.GetString()}: {(root.TryGetProperty("Message", out var message) ? message.GetString() : "")}"
                    + (root.TryGetProperty("Exception", out var exception) ? " " + exception.GetString() : "")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string LevelName(string console) => console switch
    {
        "trce" => "Trace",
        "dbug" => "Debug",
        "info" => "Information",
        "warn" => "Warning",
        "fail" => "Error",
        _ => "Critical",
    };

    [GeneratedRegex("^(trce|dbug|info|warn|fail|crit): (.*)$")]
    private static partial Regex ConsoleHeader();

    [GeneratedRegex("^(Trace|Debug|Information|Warning|Error|Critical) [^ ]+: ")]
    private static partial Regex CaptureLine();
}
