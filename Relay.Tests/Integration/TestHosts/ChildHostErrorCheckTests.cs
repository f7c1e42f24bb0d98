using System.Net;
using Microsoft.Data.Sqlite;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.TestHosts;

/// <summary>
/// A Relay in a child process fails its test on an unexpected Error log just as an in-process host does: the store is
/// broken for real under the child, whose readiness probe then logs the failure on its console.
/// </summary>
public sealed class ChildHostErrorCheckTests
{
    private const string StoreUnhealthy = "Health check store with status Unhealthy";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_error_the_child_relay_logs_fails_the_test_when_it_is_disposed()
    {
        using var dir = new TempDir();
        var relay = await StartWithBrokenStoreAsync(dir);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => relay.DisposeAsync().AsTask());

        Assert.Contains("unexpected error logs", failure.Message, StringComparison.Ordinal);
        Assert.Contains(StoreUnhealthy, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_the_test_declares_allowed_does_not_fail_it()
    {
        using var dir = new TempDir();
        var relay = await StartWithBrokenStoreAsync(dir);
        relay.AllowedErrors.AddRange([StoreUnhealthy, "no such table: channels"]);

        await relay.DisposeAsync();
    }

    private static async Task<ChildRelay> StartWithBrokenStoreAsync(TempDir dir)
    {
        var dataDir = Path.Combine(dir.Path, "data");
        var httpPort = FreePort.Next();
        var relay = await ChildRelay.StartAsync(dataDir, httpPort, FreePort.Next());
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "relay.db")};Pooling=false"))
        {
            await db.OpenAsync(Ct);
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "ALTER TABLE channels RENAME TO channels_gone";
            await cmd.ExecuteNonQueryAsync(Ct);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync($"http://127.0.0.1:{httpPort}/readyz", Ct)).StatusCode);
        // The console logger writes on its own thread: wait until the child's line has been read back.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!relay.Logs.Errors.Any(l => l.Contains(StoreUnhealthy, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the child never logged the broken store: " + relay.Output);
            await Task.Delay(50, Ct);
        }

        return relay;
    }
}
