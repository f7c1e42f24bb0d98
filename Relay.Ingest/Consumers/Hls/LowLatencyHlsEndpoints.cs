using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Mirroring;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// Low-latency HLS playback: <c>GET /live/{channelId}/ll/index.m3u8</c> (blocking reload with <c>_HLS_msn</c> and
/// <c>_HLS_part</c>), <c>init{n}.mp4</c>, <c>seg{msn}.m4s</c> and <c>part{msn}.{i}.m4s</c>. A request for the part
/// the playlist hints (<c>EXT-X-PRELOAD-HINT</c>) is held until the part exists, so a player has it the moment it is
/// made.
/// </summary>
public static class LowLatencyHlsEndpoints
{
    public const string Mp4ContentType = "video/mp4";

    public static IEndpointRouteBuilder MapRelayLowLatencyHls(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/live/{channelId}/ll/{file}", ServeAsync)
            .WithName("LowLatencyHlsPlayback")
            .Produces(StatusCodes.Status200OK, contentType: HlsEndpoints.PlaylistContentType)
            .Produces(StatusCodes.Status200OK, contentType: Mp4ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> ServeAsync(string channelId, string file, HttpContext context, LiveChannelRegistry channels)
    {
        var service = context.RequestServices.GetService<LowLatencyHlsService>();
        var isPlaylist = file == LowLatencyFileNames.Playlist;
        long sequence = 0;
        int index = 0, version = 0;
        var isPart = !isPlaylist && LowLatencyFileNames.TryParsePart(file, out sequence, out index);
        var isSegment = !isPlaylist && !isPart && LowLatencyFileNames.TryParseSegment(file, out sequence);
        var isInit = !isPlaylist && !isPart && !isSegment && LowLatencyFileNames.TryParseInit(file, out version);
        if (!isPlaylist && !isPart && !isSegment && !isInit)
        {
            return HlsEndpoints.Problem(StatusCodes.Status400BadRequest, "invalid HLS file name", $"'{file}' is not a low-latency HLS file name (index.m3u8, initN.mp4, segN.m4s, partN.I.m4s)");
        }

        if (!ChannelIds.IsSafe(channelId))
        {
            return HlsEndpoints.Offline(channelId);
        }

        if (service is not { Enabled: true })
        {
            return HlsEndpoints.Problem(StatusCodes.Status404NotFound, "low-latency HLS is disabled", "this server does not package low-latency HLS (Relay:Hls:LowLatency); use /live/{channelId}/index.m3u8 or /live/{channelId}.flv");
        }

        var mirrors = context.RequestServices.GetService<ChannelMirrors>();
        if (!channels.IsLive(channelId) && service.StreamOf(channelId) is null
            && (mirrors is null || !await mirrors.TryMirrorAsync(channelId, context.RequestAborted).ConfigureAwait(false)))
        {
            return HlsEndpoints.Offline(channelId);
        }

        mirrors?.Touch(channelId);
        context.Response.Headers.AccessControlAllowOrigin = "*";
        var cancellationToken = context.RequestAborted;
        var time = service.Time;
        if (isPlaylist)
        {
            return await PlaylistAsync(channelId, context, channels, service).ConfigureAwait(false);
        }

        var stream = service.StreamOf(channelId);
        if (stream is null)
        {
            return NotFound(channelId, file);
        }

        byte[]? bytes;
        if (isInit)
        {
            bytes = stream.Init(version);
        }
        else if (isSegment)
        {
            bytes = stream.Segment(sequence);
        }
        else
        {
            bytes = stream.Part(sequence, index);
            // The hinted part (or the one after it): hold the request until the muxer has written it.
            if (bytes is null && stream.IsNext(sequence, index))
            {
                await stream.WaitAsync(() => stream.Part(sequence, index) is not null || !stream.IsNext(sequence, index),
                    TimeSpan.FromSeconds(Math.Max(3, 3 * stream.PartTargetSeconds)), time, cancellationToken).ConfigureAwait(false);
                bytes = stream.Part(sequence, index);
            }
        }

        if (bytes is null)
        {
            return NotFound(channelId, file);
        }

        // A file name is never reused within a session: its bytes never change.
        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Bytes(bytes, Mp4ContentType);
    }

    private static async Task<IResult> PlaylistAsync(string channelId, HttpContext context, LiveChannelRegistry channels, LowLatencyHlsService service)
    {
        var cancellationToken = context.RequestAborted;
        var time = service.Time;
        var query = context.Request.Query;
        long? msn = null;
        int? part = null;
        if (query.TryGetValue("_HLS_msn", out var msnText))
        {
            if (!long.TryParse(msnText, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
                return HlsEndpoints.Problem(StatusCodes.Status400BadRequest, "invalid _HLS_msn", "_HLS_msn must be a media sequence number");
            msn = m;
        }

        if (query.TryGetValue("_HLS_part", out var partText))
        {
            if (msn is null || !int.TryParse(partText, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                return HlsEndpoints.Problem(StatusCodes.Status400BadRequest, "invalid _HLS_part", "_HLS_part must be a part index and needs _HLS_msn");
            part = p;
        }

        // A channel that just went live: its first part needs a keyframe. Waiting here beats a 404 a player gives up on.
        var stream = service.StreamOf(channelId);
        var deadline = time.GetTimestamp() + (long)(service.Options.PlaylistWaitSeconds * time.TimestampFrequency);
        while (stream is null || !stream.HasPlaylist)
        {
            if (!channels.IsLive(channelId) && stream is null)
            {
                return HlsEndpoints.Offline(channelId);
            }

            if (time.GetTimestamp() >= deadline)
            {
                context.Response.Headers.RetryAfter = "1";
                return HlsEndpoints.Problem(StatusCodes.Status503ServiceUnavailable, "playlist not ready", $"channel '{channelId}' is live but its first low-latency HLS part is not made yet (it starts at a keyframe, and needs H.264); retry shortly");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
            stream = service.StreamOf(channelId);
        }

        if (msn is { } wanted)
        {
            // The spec: a request more than two segments ahead of the playlist is a client error, not a wait.
            if (stream.LastSequence is { } last && wanted > last + 2)
                return HlsEndpoints.Problem(StatusCodes.Status400BadRequest, "_HLS_msn too far ahead", $"the playlist is at segment {last}; _HLS_msn={wanted} is more than two segments ahead");
            var targetSeconds = Math.Max(1, service.Options.SegmentSeconds);
            await stream.WaitAsync(() => stream.Has(wanted, part), TimeSpan.FromSeconds(3 * Math.Max(targetSeconds, 2)), time, cancellationToken).ConfigureAwait(false);
        }

        context.Response.Headers.CacheControl = "no-cache, no-store";
        return TypedResults.Text(stream.Playlist(), HlsEndpoints.PlaylistContentType);
    }

    private static IResult NotFound(string channelId, string file) =>
        HlsEndpoints.Problem(StatusCodes.Status404NotFound, "not found", $"'{file}' is not (or no longer) in the low-latency playlist of channel '{channelId}'");
}
