using Relay.Chat.Orders;
using Relay.Chat.Social;
using Relay.Server.Channels;

namespace Relay.Server.Shows;

/// <summary>
/// Puts a show's report together when it is asked for: the recorded time line, markers and destination times, the
/// unique viewers from the joins, and the orders read from the order store at that moment, so an order the order API
/// confirms after the show still counts.
/// </summary>
public sealed class ShowReportBuilder(IShowStore shows, IOrderStore orders, IFollowers followers, ChannelService channels, TimeProvider time,
    Relay.Chat.Referrals.IReferralStore referrals)
{
    private const int OrderPage = 1000;

    public async Task<ShowReport?> BuildAsync(string channelId, string showId, CancellationToken ct)
    {
        if (await shows.FindAsync(channelId, showId, ct) is not { } show) return null;
        var now = time.GetUtcNow();
        var end = show.EndedAt ?? now;
        var samples = await shows.SamplesAsync(showId, ct);
        var markers = await shows.MarkersAsync(showId, ct);
        var destinationTimes = await shows.DestinationsAsync(showId, ct);
        var uniques = await shows.CountAudienceAsync(channelId, show.StartedAt, end, ct);
        var confirmed = await ConfirmedOrdersAsync(channelId, show.StartedAt, end, ct);
        // First follows of the channel during the show (a viewer who unfollows and follows again is not counted again).
        var follows = await followers.CountFirstFollowsAsync(channelId, show.StartedAt, end, ct);
        var channel = channels.Find(channelId);

        var currency = confirmed.GroupBy(o => o.Currency).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).FirstOrDefault() ?? channel?.Lineup.FirstOrDefault()?.Currency;
        var buyers = confirmed.Select(o => o.BuyerId).Distinct(StringComparer.Ordinal).Count();
        var titles = channel?.Lineup.ToDictionary(i => i.Sku, i => i.Title, StringComparer.Ordinal) ?? [];
        var bySku = confirmed.GroupBy(o => (o.Sku, o.Currency))
            .Select(g => new ShowSkuLine(g.Key.Sku, titles.GetValueOrDefault(g.Key.Sku), g.Count(), g.Sum(o => o.Quantity), g.Sum(Cents), g.Key.Currency))
            .OrderByDescending(l => l.GmvCents).ThenBy(l => l.Sku, StringComparer.Ordinal).ToList();
        var byReferrer = confirmed.GroupBy(o => o.Referrer ?? "")
            .Select(g => new ShowReferrerLine(g.Key.Length == 0 ? null : g.Key, g.Count(), g.Sum(o => o.Quantity),
                g.Where(o => o.Currency == currency).Sum(Cents), g.Select(o => o.BuyerId).Distinct(StringComparer.Ordinal).Count()))
            .ToList();
        // Share-code visits of this show; a code that brought visitors but no order yet is a line too.
        var visits = await referrals.VisitsInShowAsync(channelId, show.Id, ct);
        byReferrer = byReferrer.Select(l => l.Referrer is { } code && visits.TryGetValue(code, out var v) ? l with { Visits = v } : l)
            .Concat(visits.Where(v => byReferrer.All(l => l.Referrer != v.Key)).Select(v => new ShowReferrerLine(v.Key, 0, 0, 0, 0, v.Value)))
            .OrderByDescending(l => l.GmvCents).ThenByDescending(l => l.Visits).ThenBy(l => l.Referrer ?? "", StringComparer.Ordinal).ToList();
        var destinations = destinationTimes.Select(d =>
        {
            var known = channel?.Destinations.FirstOrDefault(x => x.Id == d.DestinationId);
            return new ShowDestinationLine(d.DestinationId, known?.Name, known?.Platform, Math.Round(d.LiveMilliseconds / 1000.0, 1), d.Reconnects);
        }).ToList();

        return new ShowReport(
            show.Id,
            channelId,
            show.StartedAt,
            show.EndedAt,
            show.EndedAt is null,
            Math.Round((end - show.StartedAt).TotalSeconds, 1),
            samples.Count == 0 ? 0 : samples.Max(s => s.PeakViewers),
            samples.Count == 0 ? 0 : Math.Round(samples.Average(s => s.Viewers), 1),
            uniques,
            samples.Sum(s => s.Messages),
            samples.Sum(s => s.Likes),
            follows,
            confirmed.Count,
            confirmed.Sum(o => o.Quantity),
            confirmed.Where(o => o.Currency == currency).Sum(Cents),
            currency,
            buyers,
            uniques == 0 ? 0 : Math.Round((double)buyers / uniques, 4),
            bySku,
            byReferrer,
            destinations,
            Timeline(show.StartedAt, samples, confirmed, currency),
            [.. markers]);
    }

    /// <summary>Each point gets the confirmed orders made after the previous point, up to and including its own time.</summary>
    private static List<ShowPoint> Timeline(DateTimeOffset start, IReadOnlyList<ShowSample> samples, IReadOnlyList<OrderRecord> confirmed, string? currency)
    {
        var points = new List<ShowPoint>(samples.Count);
        var from = start.AddMilliseconds(-1);
        var i = 0;
        foreach (var s in samples)
        {
            int count = 0, units = 0;
            long cents = 0;
            while (i < confirmed.Count && confirmed[i].CreatedAt <= s.At)
            {
                if (confirmed[i].CreatedAt > from)
                {
                    count++;
                    units += confirmed[i].Quantity;
                    if (confirmed[i].Currency == currency) cents += Cents(confirmed[i]);
                }
                i++;
            }
            points.Add(new ShowPoint(s.At, s.Viewers, s.PeakViewers, s.Messages, s.Likes, count, units, cents));
            from = s.At;
        }
        return points;
    }

    private static long Cents(OrderRecord o) => o.UnitPriceCents * o.Quantity;

    /// <summary>The channel's confirmed orders made from the show's start to its end, in time order.</summary>
    private async Task<List<OrderRecord>> ConfirmedOrdersAsync(string channelId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var list = new List<OrderRecord>();
        var after = new ListCursor(from.ToUnixTimeMilliseconds() - 1, "\uffff");
        while (true)
        {
            var page = await orders.ListByChannelAsync(channelId, after, OrderPage, ct);
            foreach (var o in page)
            {
                if (o.CreatedAt > to) return list;
                if (o.Status == OrderStatus.Confirmed) list.Add(o);
            }
            if (page.Count < OrderPage) return list;
            after = new ListCursor(page[^1].CreatedAt.ToUnixTimeMilliseconds(), page[^1].OrderId);
        }
    }
}
