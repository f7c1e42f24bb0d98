using Relay.Chat.Orders;
using Relay.Server.Shows;

namespace Relay.Tests.Integration.Shows;

/// <summary>
/// What every show store must do, run on each engine with two stores on one database (two nodes): a show's start, points,
/// markers and destination totals round-trip; a continued show reopens; joins from both nodes count each viewer once
/// inside the show's span only; the list is newest first and pages with the API's cursor; a show is found only under
/// its own channel.
/// </summary>
internal static class ShowStoreScenario
{
    public static async Task RunAsync(IShowStore a, IShowStore b, CancellationToken ct)
    {
        await Task.WhenAll(a.MigrateAsync(ct), b.MigrateAsync(ct));
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddHours(-3);

        Assert.Null(await a.LatestAsync("c1", ct));
        await a.StartAsync(new ShowRecord("s1", "c1", t0, null, null), ct);
        await a.AddSampleAsync("s1", new ShowSample(t0.AddSeconds(10), 3, 4, 5, 0),
            [new ShowMarker(t0.AddSeconds(4), "pinned", "TEE", "纯棉T恤", 9900, null), new ShowMarker(t0.AddSeconds(4), "flashSale", "MUG", null, 1500, 10)],
            [new ShowDestinationTime("yt", 9000, 0), new ShowDestinationTime("dy", 4000, 1)], ct);
        await a.AddSampleAsync("s1", new ShowSample(t0.AddSeconds(20), 6, 7, 2, 0), [], [new ShowDestinationTime("yt", 19000, 0), new ShowDestinationTime("dy", 12000, 2)], ct);
        await a.SetEndAsync("s1", t0.AddSeconds(20), ct);

        // The other node sees it, as the latest show of the channel, with its last point.
        var latest = await b.LatestAsync("c1", ct);
        Assert.Equal(new ShowRecord("s1", "c1", t0, t0.AddSeconds(20), t0.AddSeconds(20)), latest);
        Assert.Equal([new ShowSample(t0.AddSeconds(10), 3, 4, 5, 0), new ShowSample(t0.AddSeconds(20), 6, 7, 2, 0)], await b.SamplesAsync("s1", ct));
        Assert.Equal([new ShowMarker(t0.AddSeconds(4), "pinned", "TEE", "纯棉T恤", 9900, null), new ShowMarker(t0.AddSeconds(4), "flashSale", "MUG", null, 1500, 10)],
            await b.MarkersAsync("s1", ct));
        Assert.Equal([new ShowDestinationTime("dy", 12000, 2), new ShowDestinationTime("yt", 19000, 0)], await b.DestinationsAsync("s1", ct));

        // Continued by the other node (the publisher came back there within the gap): open again, then ended later.
        await b.SetEndAsync("s1", null, ct);
        Assert.Null((await a.FindAsync("c1", "s1", ct))!.EndedAt);
        await b.AddSampleAsync("s1", new ShowSample(t0.AddSeconds(60), 2, 2, 1, 0), [], [new ShowDestinationTime("yt", 25000, 1)], ct);
        await b.SetEndAsync("s1", t0.AddSeconds(60), ct);
        Assert.Equal(t0.AddSeconds(60), (await a.FindAsync("c1", "s1", ct))!.EndedAt);
        Assert.Equal(3, (await a.SamplesAsync("s1", ct)).Count);

        // Joins from both nodes: ann twice (two connections), bob on both nodes, cat before the show, dan after it.
        await a.AddAudienceAsync([new("c1", "ann", t0.AddSeconds(1)), new("c1", "ann", t0.AddSeconds(30)), new("c1", "bob", t0.AddSeconds(5)),
            new("c1", "cat", t0.AddSeconds(-30)), new("c2", "eve", t0.AddSeconds(5))], ct);
        await b.AddAudienceAsync([new("c1", "bob", t0.AddSeconds(7)), new("c1", "dan", t0.AddSeconds(61)), new("c1", "ann", t0.AddSeconds(1))], ct);
        Assert.Equal(2, await a.CountAudienceAsync("c1", t0, t0.AddSeconds(60), ct));
        Assert.Equal(3, await b.CountAudienceAsync("c1", t0.AddSeconds(-60), t0.AddSeconds(60), ct));
        Assert.Equal(1, await b.CountAudienceAsync("c2", t0, t0.AddSeconds(60), ct));

        // Newest first, paged by (start, id) as the API's cursor says; another channel's show is not found here.
        await b.StartAsync(new ShowRecord("s2", "c1", t0.AddHours(1), t0.AddHours(2), null), ct);
        await a.StartAsync(new ShowRecord("s3", "c1", t0.AddHours(2), null, null), ct);
        await a.StartAsync(new ShowRecord("x1", "c2", t0.AddHours(2), null, null), ct);
        Assert.Equal(["s3", "s2", "s1"], (await b.ListAsync("c1", null, 10, ct)).Select(s => s.Id));
        var first = await a.ListAsync("c1", null, 2, ct);
        Assert.Equal(["s3", "s2"], first.Select(s => s.Id));
        var after = new ListCursor(first[^1].StartedAt.ToUnixTimeMilliseconds(), first[^1].Id);
        Assert.Equal(["s1"], (await b.ListAsync("c1", after, 2, ct)).Select(s => s.Id));
        Assert.Equal("s3", (await b.LatestAsync("c1", ct))!.Id);
        Assert.Null(await a.FindAsync("c2", "s1", ct));
        Assert.Empty(await a.SamplesAsync("nope", ct));

        // A deleted channel's shows, time lines and joins go; the other channel's stay.
        await b.DeleteChannelAsync("c1", ct);
        Assert.Empty(await a.ListAsync("c1", null, 10, ct));
        Assert.Empty(await a.SamplesAsync("s1", ct));
        Assert.Empty(await a.MarkersAsync("s1", ct));
        Assert.Empty(await a.DestinationsAsync("s1", ct));
        Assert.Equal(0, await a.CountAudienceAsync("c1", t0.AddSeconds(-60), t0.AddSeconds(60), ct));
        Assert.Equal(["x1"], (await a.ListAsync("c2", null, 10, ct)).Select(s => s.Id));
        Assert.Equal(1, await a.CountAudienceAsync("c2", t0, t0.AddSeconds(60), ct));
    }
}
