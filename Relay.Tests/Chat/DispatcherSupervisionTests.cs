using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Chat.Contracts;
using Relay.Chat.Orders;
using Relay.Chat.Purchases;
using Relay.Chat.Storage;

namespace Relay.Tests.Chat;

public sealed class DispatcherSupervisionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_dispatcher_loop_logs_a_failure_restarts_and_still_delivers()
    {
        FlakyOutbox? flaky = null;
        await using var host = await ChatTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IOrderOutbox>(sp =>
            flaky = new FlakyOutbox(sp.GetRequiredService<SqliteCommerceStore>(), failures: 2))));
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, "json");
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("LIP-1", 1, "k")).Status);

        await Buyers.WaitForOrdersAsync(host, o => o.Count == 1 && o[0].Status == "confirmed", 15);
        Assert.Equal(0, flaky!.FailuresLeft);
        Assert.Equal(2, host.ErrorLogs.Count(l => l.Contains("Order dispatcher loop failed; restarting")));
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
