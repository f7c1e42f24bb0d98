using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Prometheus;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

public sealed class ChatMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Channel = "metrics1";

    [Fact]
    public async Task Chat_purchase_and_order_metrics_move_with_what_happened()
    {
        // A channel of its own: the registry is process-wide and other tests run in parallel.
        var directory = new InMemoryChannelDirectory().Add(Channel, "host-key-metrics1-abcdefghijklmnop", ChatTestHost.Lipstick);
        await using var host = await ChatTestHost.StartAsync(directory: directory);
        await using var seller = await Buyers.JoinedAsync(host, "json", "host-key-metrics1-abcdefghijklmnop", channel: Channel);
        await using var buyer = await Buyers.JoinedAsync(host, "json", channel: Channel);
        await seller.InvokeAsync("Pin", "LIP-1", Ct);

        await buyer.InvokeAsync("SendMessage", "one", Ct);
        await buyer.InvokeAsync("SendMessage", "two", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("LIP-1", 3, "m1")).Status);
        Assert.Equal(PurchaseStatus.LimitExceeded, (await buyer.BuyAsync("LIP-1", 99, "m2")).Status);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string text;
        while (true)
        {
            text = await ScrapeAsync();
            if (Value(text, "relay_sales_amount_cents_total", $"channel=\"{Channel}\",currency=\"EUR\"") == 3 * 1999) break;
            Assert.True(DateTime.UtcNow < deadline, "sales amount never reached 5997");
            await Task.Delay(50, Ct);
        }
        Assert.Equal(2, Value(text, "relay_chat_messages_total", $"channel=\"{Channel}\""));
        Assert.Equal(1, Value(text, "relay_purchases_total", $"channel=\"{Channel}\",status=\"reserved\""));
        Assert.Equal(1, Value(text, "relay_purchases_total", $"channel=\"{Channel}\",status=\"limit_exceeded\""));
        Assert.True(Value(text, "relay_hub_connections", "") >= 2);
        foreach (var name in new[] { "relay_chat_rejected_total", "relay_orders_total", "relay_order_api_request_duration_seconds_bucket",
                     "relay_order_outbox_pending", "relay_order_dead_letters_total" })
            Assert.Contains("# TYPE " + name.Replace("_bucket", ""), text);
    }

    private static async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream, Ct);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static double Value(string text, string name, string labels)
    {
        var pattern = labels.Length == 0 ? $@"^{name} (\S+)$" : $@"^{name}\{{{Regex.Escape(labels)}\}} (\S+)$";
        var match = Regex.Match(text, pattern, RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
    }
}
