using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;
using Relay.Ingest.Mirroring;
using Relay.Ingest.Net;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.HttpFlv;

/// <summary>
/// HTTP-FLV playback: <c>GET /live/{channelId}.flv</c>, starting at the cached keyframe. With a token
/// (<c>?access_token=</c>, as the hub takes it, or a bearer header) it is the host's preview: the stream as it comes in,
/// also while the channel rehearses (<see cref="IPreviewAccess"/>).
/// </summary>
public static partial class HttpFlvEndpoints
{
    public const string SubscriberKind = "http_flv";

    /// <summary>The subscriber kind of another node's pull of a channel this node owns (one per mirroring node).</summary>
    public const string MirrorSubscriberKind = "mirror";

    /// <summary>The route the other nodes of a cluster pull a channel this node owns from.</summary>
    public const string MirrorOriginRoute = "/internal/v1/live/{channelId}.flv";

    /// <summary>Maps <c>GET /live/{channelId}.flv</c> (callers map every consumer at once with <c>MapRelayPlayback</c>).</summary>
    public static IEndpointRouteBuilder MapRelayHttpFlv(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/live/{channelId}.flv", StreamAsync)
            .WithName("HttpFlvPlayback")
            .Produces(StatusCodes.Status200OK, contentType: "video/x-flv")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return endpoints;
    }

    /// <summary>
    /// Maps <see cref="MirrorOriginRoute"/>: a channel published on this node (never a mirror, so two nodes cannot pull
    /// from each other), without the viewer cap. The caller protects it (a cluster's nodes share the admin token).
    /// </summary>
    public static RouteHandlerBuilder MapRelayMirrorOrigin(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(MirrorOriginRoute, OriginAsync)
            .WithName("HttpFlvMirrorOrigin")
            .ExcludeFromDescription();

    /// <summary>A full channel has no time to offer; viewers leave all the time, so a few seconds is a fair retry.</summary>
    private const int FullChannelRetryAfterSeconds = 5;

    /// <summary>A studio or two per host: enough for every console open on a show, too few to serve an audience.</summary>
    public const int MaxPreviewsPerChannel = 8;

    private static async Task<IResult> StreamAsync(string channelId, HttpContext context, LiveChannelRegistry channels, IOptions<PlaybackOptions> playback, ILoggerFactory loggers)
    {
        if (PreviewToken(context) is { } token)
        {
            return await PreviewAsync(channelId, token, context, channels).ConfigureAwait(false);
        }

        if (!channels.TryGetHub(channelId, out var hub))
        {
            // In a cluster the channel may be live on another node: mirror it here (one pull for all of this node's viewers).
            var mirrors = context.RequestServices.GetService<ChannelMirrors>();
            if (mirrors is null || !ChannelIds.IsSafe(channelId) || !await mirrors.TryMirrorAsync(channelId, context.RequestAborted).ConfigureAwait(false)
                || !channels.TryGetHub(channelId, out hub))
            {
                return Offline(channelId);
            }
        }

        using var subscription = hub.TrySubscribe(context.TraceIdentifier, SubscriberKind, playback.Value.MaxViewersPerChannel);
        if (subscription is null)
        {
            LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.FlvPerChannel).Inc();
            context.Response.Headers.RetryAfter = FullChannelRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: $"channel '{channelId}' has as many HTTP-FLV viewers as it accepts (Relay:Playback:MaxViewersPerChannel); watch the HLS stream or retry later");
        }

        if (!channels.IsLive(channelId))
        {
            // Turned into a rehearsal between the look-up and the subscription: the turn ended the others, not this one.
            return Offline(channelId);
        }

        await WriteAsync(subscription, context, DefaultTrack()).ConfigureAwait(false);
        if (subscription.DroppedFrames > 0)
        {
            // One line per viewer session, not per drop: a slow viewer must not flood the log either.
            LogViewerDropped(loggers.CreateLogger(typeof(HttpFlvEndpoints).FullName!), channelId, subscription.DroppedFrames);
        }

        return Results.Empty;
    }

    private static async Task<IResult> PreviewAsync(string channelId, string token, HttpContext context, LiveChannelRegistry channels)
    {
        if (context.RequestServices.GetService<IPreviewAccess>() is not { } access || !access.MayPreview(channelId, token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "access_token must be this channel's host key or the admin token (leave it out to watch the public stream)");
        }

        if (!channels.TryGetPreviewHub(channelId, out var hub))
        {
            return Offline(channelId);
        }

        using var subscription = hub.TrySubscribe(context.TraceIdentifier, LiveChannelRegistry.PreviewSubscriberKind, MaxPreviewsPerChannel);
        if (subscription is null)
        {
            context.Response.Headers.RetryAfter = FullChannelRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: $"channel '{channelId}' has {MaxPreviewsPerChannel} previews open; close one or retry later");
        }

        await WriteAsync(subscription, context, DefaultTrack()).ConfigureAwait(false);
        return Results.Empty;
    }

    /// <summary>
    /// Viewers get the plain single-track stream of the default tracks (video 0, audio 0): mpegts.js and every FLV
    /// player know no E-RTMP v2 multitrack. The cluster's mirror pull keeps every track (its node selects per viewer).
    /// </summary>
    private static FlvTrackSelector DefaultTrack() => new(0);

    /// <summary>The preview credential: the <c>access_token</c> query parameter (a player cannot set headers) or a bearer header.</summary>
    private static string? PreviewToken(HttpContext context)
    {
        if (context.Request.Query.TryGetValue("access_token", out var query) && !string.IsNullOrEmpty(query.ToString()))
        {
            return query.ToString();
        }

        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    private static async Task<IResult> OriginAsync(string channelId, HttpContext context, LiveChannelRegistry channels)
    {
        if (!channels.TryGetPublishedHub(channelId, out var hub))
        {
            return Offline(channelId);
        }

        using var subscription = hub.Subscribe($"mirror-{context.Connection.RemoteIpAddress}", MirrorSubscriberKind);
        await WriteAsync(subscription, context, selector: null).ConfigureAwait(false);
        return Results.Empty;
    }

    private static IResult Offline(string channelId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "channel is offline", detail: $"channel '{channelId}' has no publisher");

    /// <summary>The FLV file header, then the subscription's tags as they come, until it completes or the client leaves.</summary>
    private static async Task WriteAsync(StreamSubscription subscription, HttpContext context, FlvTrackSelector? selector)
    {
        var response = context.Response;
        response.ContentType = "video/x-flv";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers.AccessControlAllowOrigin = "*";
        var cancellationToken = context.RequestAborted;
        var writer = response.BodyWriter;
        try
        {
            writer.Write(FlvTagReader.AudioVideoFileHeader);
            var reader = selector is null ? subscription.Reader : new TrackSelectingReader(subscription.Reader, selector);
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Write everything already queued, then flush once: one flush per burst, not per tag.
                while (reader.TryRead(out var tag))
                {
                    writer.Write(tag.Serialized.Span);
                }

                var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The viewer left.
        }
    }

    [LoggerMessage(EventId = EventIds.SubscriberDropped, Level = LogLevel.Information, Message = "HTTP-FLV viewer of channel {ChannelId} left after dropping {DroppedFrames} frames (too slow)")]
    private static partial void LogViewerDropped(ILogger logger, string channelId, long droppedFrames);
}
