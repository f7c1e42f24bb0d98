using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Unit.TestHosts;

/// <summary>A child host fails its test on an Error or Critical line only if the reader finds it in every form a child writes.</summary>
public sealed class ChildLogReaderTests
{
    private static LogCapture Read(params string[] output)
    {
        var logs = new LogCapture();
        var reader = new ChildLogReader(logs);
        foreach (var line in output)
        {
            reader.Read(line);
        }

        reader.End();
        return logs;
    }

    [Fact]
    public void Console_formatter_entries_keep_their_level_and_gather_their_indented_message_and_exception()
    {
        var logs = Read(
            "Relay is listening on http://127.0.0.1:5000",
            "info: Microsoft.Hosting.Lifetime[14]",
            "      Now listening on: http://127.0.0.1:5000",
            "fail: Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService[103]",
            "      Health check store with status Unhealthy completed after 3.2ms",
            "      Microsoft.Data.Sqlite.SqliteException (0x80004005): SQLite Error 1: 'no such table: channels'.",
            "warn: Relay.Chat.Orders.OrderDispatcher[5003]",
            "      Order o1 answered 503; retrying",
            "crit: Relay.Server.Hosting.RelayHost[1]",
            "      Relay stopped");

        Assert.Equal(4, logs.Lines.Count);
        Assert.Equal(
            [
                "Error Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService[103]: Health check store with status Unhealthy completed after 3.2ms Microsoft.Data.Sqlite.SqliteException (0x80004005): SQLite Error 1: 'no such table: channels'.",
                "Critical Relay.Server.Hosting.RelayHost[1]: Relay stopped",
            ],
            logs.Errors);
        Assert.Throws<Xunit.Sdk.TrueException>(() => logs.AssertNoErrors("no such table"));
        logs.AssertNoErrors("no such table", "Relay stopped");
    }

    [Fact]
    public void Echoed_capture_lines_json_lines_and_an_unhandled_exception_are_entries_and_other_output_is_not()
    {
        var logs = Read(
            "Warning Relay.Chat.Orders.OrderDispatcher: Order o1 answered 503",
            "Error Relay.Chat.Orders.OrderDispatcher: Order o2 dead-lettered after 3 attempts (422)",
            "    at Relay.Chat.Orders.OrderDispatcher.DispatchAsync()",
            """{"Timestamp":"2026-12-07T01:00:00.000Z","EventId":5005,"LogLevel":"Error","Category":"Relay.Chat.Orders.OrderDispatcher","Message":"Order dispatcher loop failed; restarting in 100 ms","State":{}}""",
            """{"not":"a log entry"}""",
            "Error: this is ffmpeg talking, not a logger",
            "Unhandled exception. System.InvalidOperationException: boom");

        Assert.Equal(
            [
                "Error Relay.Chat.Orders.OrderDispatcher: Order o2 dead-lettered after 3 attempts (422)",
                "Error Relay.Chat.Orders.OrderDispatcher: Order dispatcher loop failed; restarting in 100 ms",
                "Critical Unhandled exception. System.InvalidOperationException: boom",
            ],
            logs.Errors);
        Assert.Equal(4, logs.Lines.Count);
    }
}
