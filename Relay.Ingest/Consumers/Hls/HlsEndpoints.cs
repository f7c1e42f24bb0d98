using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Mirroring;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>HLS playback: <c>GET /live/{channelId}/index.m3u8</c> and its segments <c>GET /live/{channelId}/{segment}</c>.</summary>
public static class HlsEndpoints
{
    public const string PlaylistContentType = "application/vnd.apple.mpegurl";
    public const string SegmentContentType = "video/mp2t";

    public static IEndpointRouteBuilder MapRelayHls(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/live/{channelId}/{file}", ServeAsync)
            .WithName("HlsPlayback")
            .Produces(StatusCodes.Status200OK, contentType: PlaylistContentType)
            .Produces(StatusCodes.Status200OK, contentType: SegmentContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> ServeAsync(string channelId, string file, HttpContext context, LiveChannelRegistry channels)
    {
        var hls = context.RequestServices.GetService<HlsService>();
        var isPlaylist = file == HlsFileNames.Playlist;
        if (!isPlaylist && !HlsFileNames.IsSegment(file))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid HLS file name", $"'{file}' is neither {HlsFileNames.Playlist} nor a segment name");
        }

        if (!ChannelIds.IsSafe(channelId))
        {
            return Offline(channelId);
        }

        // In a cluster the channel may be live on another node: mirror it here and package it as the owner does.
        var mirrors = hls is { Enabled: true } ? context.RequestServices.GetService<ChannelMirrors>() : null;
        if (!channels.IsLive(channelId) && (mirrors is null || !await mirrors.TryMirrorAsync(channelId, context.RequestAborted).ConfigureAwait(false)))
        {
            return Offline(channelId);
        }

        mirrors?.Touch(channelId);
        if (hls is not { Enabled: true })
        {
            return Problem(StatusCodes.Status404NotFound, "HLS is disabled", "this server does not package HLS (Relay:Hls:Enabled); use /live/{channelId}.flv");
        }

        var path = Path.Combine(hls.DirectoryOf(channelId), file);
        context.Response.Headers.AccessControlAllowOrigin = "*";
        if (isPlaylist)
        {
            return await ServePlaylistAsync(channelId, path, hls, channels, context).ConfigureAwait(false);
        }

        FileStream stream;
        try
        {
            // FileShare.Delete: the packager may delete a segment that left the playlist while a slow player reads it.
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Problem(StatusCodes.Status404NotFound, "segment not found", $"'{file}' is not (or no longer) in the playlist of channel '{channelId}'");
        }

        // A segment name is a sequence number that never comes back within a session: its bytes never change.
        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Stream(stream, SegmentContentType);
    }

    private static async Task<IResult> ServePlaylistAsync(string channelId, string path, HlsService hls, LiveChannelRegistry channels, HttpContext context)
    {
        // A player asks for the playlist right after "live"; the first segment needs one keyframe interval. Waiting
        // a few seconds here beats a 404 that makes Safari give up.
        var cancellationToken = context.RequestAborted;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(hls.Options.PlaylistWaitSeconds);
        while (true)
        {
            try
            {
                var playlist = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                context.Response.Headers.CacheControl = "no-cache, no-store";
                return TypedResults.Bytes(playlist, PlaylistContentType);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
            }

            if (!channels.IsLive(channelId))
            {
                return Offline(channelId);
            }

            if (hls.UnpackagedCodec(channelId) is { } codec)
            {
                return Problem(StatusCodes.Status404NotFound, "no HLS for this codec",
                    $"channel '{channelId}' is live in {codec} over Enhanced RTMP, which the HLS packager (ffmpeg 5.1) cannot read; play /live/{channelId}.flv");
            }

            if (DateTime.UtcNow >= deadline)
            {
                context.Response.Headers.RetryAfter = "2";
                return Problem(StatusCodes.Status503ServiceUnavailable, "playlist not ready", $"channel '{channelId}' is live but its first HLS segment is not written yet; retry shortly");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static IResult Offline(string channelId) =>
        Problem(StatusCodes.Status404NotFound, "channel is offline", $"channel '{channelId}' has no publisher");

    internal static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
