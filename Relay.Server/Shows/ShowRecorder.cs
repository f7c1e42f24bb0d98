using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;
using Relay.Server.Diagnostics;

namespace Relay.Server.Shows;

/// <summary>
/// Turns live sessions into shows and samples their time lines. The node that owns a live channel records its show
/// (only published sessions are told here, never a cluster's mirrors): a publish starts a show or, within
/// <see cref="ShowOptions.MergeGapSeconds"/> of the last one's end, continues it; every
/// <see cref="ShowOptions.SampleSeconds"/> a point is written (viewers, messages, the markers heard, each destination's
/// time live). Every node hears its rooms (<see cref="IRoomActivity"/>): joins are written for unique viewers from any
/// node, the room's summed viewer count and its messages come through the room bus to the owner too.
/// </summary>
/// <remarks>
/// Starts, ends and points of all channels go through one queue, in order: a publish that ends before its show is
/// written still ends it, and no two steps of one show overlap. The room's paths only count in memory.
/// </remarks>
public sealed class ShowRecorder(IShowStore store, IShowGate gate, IShowDestinations destinations, IOptions<ShowOptions> options,
    TimeProvider time, ILogger<ShowRecorder> logger) : BackgroundService, IRoomActivity
{
    private static readonly TimeSpan AudienceFlushDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, RoomTally> _tallies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveShow> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ShowAudienceEntry> _joins = new();
    private int _flushScheduled;

    /// <summary>The channel's publish began on this node.</summary>
    public void ChannelLive(string channelId)
    {
        // The publish's own time: the room hears "live" after it, so the viewers present then fall inside the show.
        var at = time.GetUtcNow();
        Post(ct => StartAsync(channelId, at, ct));
    }

    /// <summary>The channel's publish on this node ended.</summary>
    public void ChannelOffline(string channelId)
    {
        var at = time.GetUtcNow();
        Post(ct => EndAsync(channelId, at, ct));
    }

    public void ViewerJoined(string channelId, string viewerId, DateTimeOffset at)
    {
        _joins.Enqueue(new ShowAudienceEntry(channelId, viewerId, at));
        ScheduleFlush();
    }

    public void ViewersPresent(string channelId, IReadOnlyList<string> viewerIds, DateTimeOffset at)
    {
        foreach (var id in viewerIds) _joins.Enqueue(new ShowAudienceEntry(channelId, id, at));
        if (viewerIds.Count > 0) ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0)
        {
            // One write per second at most, whatever the join rate.
            _ = FlushLaterAsync();
        }
    }

    public void Heard(RoomActivityEvent activity)
    {
        var tally = Tally(activity.ChannelId);
        switch (activity.Kind)
        {
            case RoomActivityKind.Message:
                tally.Message();
                break;
            case RoomActivityKind.Viewers:
                tally.ViewersNow(activity.Viewers);
                break;
            case RoomActivityKind.Pinned:
                tally.Mark(new ShowMarker(activity.At, ShowMarkerKinds.Pinned, activity.Sku, activity.Title, activity.PriceCents, null));
                break;
            case RoomActivityKind.Unpinned:
                tally.Mark(new ShowMarker(activity.At, ShowMarkerKinds.Unpinned, null, null, null, null));
                break;
            case RoomActivityKind.FlashSaleStarted:
                tally.Mark(new ShowMarker(activity.At, ShowMarkerKinds.FlashSale, activity.Sku, null, activity.PriceCents, activity.Quantity));
                break;
            case RoomActivityKind.Likes:
                tally.Liked(activity.Likes);
                break;
            case RoomActivityKind.FlashSaleEnded:
                tally.Mark(new ShowMarker(activity.At, ShowMarkerKinds.FlashSaleEnded, activity.Sku, null, null, null));
                break;
        }
    }

    /// <summary>The tables exist before the server answers a report (hosted services start before Kestrel listens).</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var step in _work.Reader.ReadAllAsync(stoppingToken))
            {
                await step(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var show in _live.Values)
        {
            show.Timer?.Dispose();
        }
        await base.StopAsync(cancellationToken);
        // Joins still buffered are written; shows being recorded stay open, continued by the next publish within the gap.
        await FlushAsync(cancellationToken);
    }

    private void Post(Func<CancellationToken, Task> step) => _work.Writer.TryWrite(step);

    private RoomTally Tally(string channelId) => _tallies.GetOrAdd(channelId, _ => new RoomTally());

    private async Task StartAsync(string channelId, DateTimeOffset now, CancellationToken ct)
    {
        if (_live.ContainsKey(channelId) || !gate.WentLivePublicly(channelId)) return;
        try
        {
            var tally = Tally(channelId);
            var latest = await store.LatestAsync(channelId, ct);
            LiveShow? show = null;
            if (latest is not null)
            {
                // An end never written (the node that recorded it died) is its last point.
                var lastEnd = latest.EndedAt ?? latest.LastSampleAt ?? latest.StartedAt;
                if (now - lastEnd <= TimeSpan.FromSeconds(options.Value.MergeGapSeconds))
                {
                    show = new LiveShow(latest.Id, channelId, now);
                    foreach (var d in await store.DestinationsAsync(latest.Id, ct))
                    {
                        show.Destinations[d.DestinationId] = new LiveShow.DestinationTotals { LiveMilliseconds = d.LiveMilliseconds, Reconnects = d.Reconnects };
                    }
                    if (latest.EndedAt is not null) await store.SetEndAsync(latest.Id, null, ct);
                    ShowsLog.Continued(logger, latest.Id, channelId, (long)(now - lastEnd).TotalSeconds);
                }
                else if (latest.EndedAt is null)
                {
                    await store.SetEndAsync(latest.Id, lastEnd, ct);
                }
            }
            if (show is null)
            {
                var id = NewShowId(now);
                await store.StartAsync(new ShowRecord(id, channelId, now, null, null), ct);
                show = new LiveShow(id, channelId, now);
                tally.Restart();
                ShowsLog.Started(logger, id, channelId);
            }
            tally.Recording = true;
            _live[channelId] = show;
            var period = TimeSpan.FromSeconds(options.Value.SampleSeconds);
            show.Timer = time.CreateTimer(_ => Post(token => TickAsync(show, token)), null, period, period);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            ShowsLog.StepFailed(logger, channelId, "start", e);
        }
    }

    private async Task EndAsync(string channelId, DateTimeOffset at, CancellationToken ct)
    {
        if (!_live.Remove(channelId, out var show)) return;
        show.Timer?.Dispose();
        Tally(channelId).Recording = false;
        try
        {
            await PointAsync(show, ct, at);
            await store.SetEndAsync(show.ShowId, show.LastPointAt, ct);
            ShowsLog.Ended(logger, show.ShowId, channelId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            ShowsLog.StepFailed(logger, channelId, "end", e);
        }
    }

    // A tick queued before its show ended is stale: the end wrote the last point.
    private Task TickAsync(LiveShow show, CancellationToken ct) =>
        _live.TryGetValue(show.ChannelId, out var current) && ReferenceEquals(current, show) ? PointAsync(show, ct) : Task.CompletedTask;

    private async Task PointAsync(LiveShow show, CancellationToken ct, DateTimeOffset? at = null)
    {
        // Never before the last point: a tick queued ahead of the end may have written a later one.
        var now = at ?? time.GetUtcNow();
        if (now < show.LastPointAt) now = show.LastPointAt;
        var elapsed = (long)Math.Max(0, (now - show.LastPointAt).TotalMilliseconds);
        var tally = Tally(show.ChannelId);
        var (messages, peak, viewers) = tally.Take();
        var likes = tally.TakeLikes();
        var markers = tally.TakeMarkers();
        foreach (var d in destinations.Current(show.ChannelId))
        {
            if (!show.Destinations.TryGetValue(d.DestinationId, out var totals))
            {
                show.Destinations[d.DestinationId] = totals = new LiveShow.DestinationTotals();
            }
            if (d.Live) totals.LiveMilliseconds += elapsed;
            totals.Reconnects += d.Reconnects >= totals.ReconnectsSeen ? d.Reconnects - totals.ReconnectsSeen : d.Reconnects;
            totals.ReconnectsSeen = d.Reconnects;
        }
        show.LastPointAt = now;
        try
        {
            await store.AddSampleAsync(show.ShowId, new ShowSample(now, viewers, peak, messages, likes), markers,
                [.. show.Destinations.Select(d => new ShowDestinationTime(d.Key, d.Value.LiveMilliseconds, d.Value.Reconnects))], ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            ShowsLog.StepFailed(logger, show.ChannelId, "point", e);
        }
    }

    private async Task FlushLaterAsync()
    {
        await Task.Delay(AudienceFlushDelay, time);
        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        Volatile.Write(ref _flushScheduled, 0);
        var batch = new List<ShowAudienceEntry>();
        while (_joins.TryDequeue(out var entry)) batch.Add(entry);
        if (batch.Count == 0) return;
        try
        {
            await store.AddAudienceAsync(batch, ct);
        }
        catch (Exception e)
        {
            ShowsLog.AudienceFailed(logger, batch.Count, e);
        }
    }

    /// <summary>Sorts by start time, unguessable enough that one channel's host cannot walk to another's (the channel is checked too).</summary>
    private static string NewShowId(DateTimeOffset now) =>
        "sh_" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "_" +
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
}
