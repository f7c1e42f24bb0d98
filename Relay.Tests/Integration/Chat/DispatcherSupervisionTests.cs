using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Chat.Contracts;
using Relay.Chat.Orders;
using Relay.Chat.Ledger;
using Relay.Chat.Storage;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

public sealed class DispatcherSupervisionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_dispatcher_loop_logs_a_failure_restarts_and_still_delivers()
    {
        FlakyOutbox? flaky = null;
        await using var host = await ChatTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IOrderOutbox>(sp =>
            flaky = new FlakyOutbox(sp.GetRequiredService<SqliteCommerceStore>(), failures: 2))));
        host.AllowedErrors.Add("Order dispatcher loop failed; restarting");
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, "json");
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("LIP-1", 1, "k")).Status);

        await Buyers.WaitForOrdersAsync(host, o => o.Count == 1 && o[0].Status == "confirmed", 15);
        Assert.Equal(0, flaky!.FailuresLeft);
        Assert.Equal(2, host.Logs.Errors.Count(l => l.Contains("Order dispatcher loop failed; restarting")));
    }

    [Fact]
    public async Task The_store_is_one_versioned_WAL_file_that_reopens_with_its_data()
    {
        var dataDir = Directory.CreateTempSubdirectory("relay-store-").FullName;
        try
        {
            await using (var first = await ChatTestHost.StartAsync(dataDir: dataDir))
            {
                await first.Services.GetRequiredService<ChatDatabase>().PingAsync(Ct);
                await using var seller = await Buyers.JoinedAsync(first, "json", ChatTestHost.HostKey);
                await using var buyer = await Buyers.JoinedAsync(first, "json");
                await seller.InvokeAsync("Pin", "SER-1", Ct);
                Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("SER-1", 2, "k")).Status);
            }
            await using (var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "relay.db")}"))
            {
                await raw.OpenAsync(Ct);
                await using var query = raw.CreateCommand();
                query.CommandText = "PRAGMA journal_mode; SELECT version FROM relay_schema WHERE module = 'chat';";
                await using var reader = await query.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                Assert.Equal("wal", reader.GetString(0));
                Assert.True(await reader.NextResultAsync(Ct) && await reader.ReadAsync(Ct));
                // 2: the v2 stock rule's ledger (stock, held, epoch per sku).
                Assert.Equal(4, reader.GetInt32(0));
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await using var second = await ChatTestHost.StartAsync(dataDir: dataDir);
            await using var again = await Buyers.JoinedAsync(second, "json");
            var snapshot = await again.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            Assert.Equal(3, snapshot.Lineup.Single(p => p.Sku == "SER-1").Stock);
            Assert.Single(await Buyers.ChannelOrdersAsync(second));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The real outbox, except that the first few claims fail as a locked or full database would.</summary>
    private sealed class FlakyOutbox(SqliteCommerceStore inner, int failures) : IOrderOutbox
    {
        private int _failuresLeft = failures;

        public int FailuresLeft => Math.Max(0, Volatile.Read(ref _failuresLeft));

        public Task<IReadOnlyList<OrderRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref _failuresLeft) >= 0
                ? throw new IOException("disk I/O error (simulated)")
                : inner.ClaimDueAsync(now, max, lease, cancellationToken);

        public Task ReleaseAllLeasesAsync(CancellationToken cancellationToken) => inner.ReleaseAllLeasesAsync(cancellationToken);
        public Task<bool> MarkConfirmedAsync(string orderId, int attempts, DateTimeOffset now, CancellationToken cancellationToken) => inner.MarkConfirmedAsync(orderId, attempts, now, cancellationToken);
        public Task<StockRelease?> MarkFailedAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken) => inner.MarkFailedAsync(orderId, attempts, error, now, cancellationToken);
        public Task ScheduleRetryAsync(string orderId, int attempts, DateTimeOffset nextAttemptAt, string error, DateTimeOffset now, CancellationToken cancellationToken) => inner.ScheduleRetryAsync(orderId, attempts, nextAttemptAt, error, now, cancellationToken);
        public Task<bool> MarkDeadLetterAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken) => inner.MarkDeadLetterAsync(orderId, attempts, error, now, cancellationToken);
        public Task<int> CountPendingAsync(CancellationToken cancellationToken) => inner.CountPendingAsync(cancellationToken);
        public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken) => inner.NextDueAtAsync(cancellationToken);
    }
}
