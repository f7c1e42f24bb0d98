using System.Text.Json;
using Relay.Ingest.Egress;
using Relay.Server.Access;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary><c>/api/v1/channels</c>: channel CRUD, stream-key rotation and reveal, host-key rotation.</summary>
public static class ChannelsApi
{
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels").WithTags("Channels");

        group.MapGet("/", List).RequireAdmin();
        group.MapPost("/", Create).RequireAdmin();
        group.MapGet("/{id}", Get).RequireChannelAccess();
        group.MapDelete("/{id}", Delete).RequireAdmin();
        group.MapPost("/{id}/stream-key/rotate", RotateStreamKey).RequireChannelAccess();
        group.MapGet("/{id}/stream-key", RevealStreamKey).RequireChannelAccess();
        group.MapPost("/{id}/host-key/rotate", RotateHostKey).RequireChannelAccess();
        return app;
    }

    private static IResult List(ChannelService channels, IChannelRuntime runtime) =>
        TypedResults.Ok(channels.All.Select(c => ChannelView.Summary(c, runtime)).ToList());

    private static async Task<IResult> Create(HttpRequest request, ChannelService channels, PublicUrls urls, CancellationToken ct)
    {
        var (body, error) = await ApiProblems.ReadBodyAsync(request, JsonValueKind.Object, ct);
        if (error is not null)
        {
            return error;
        }
        var errors = new List<FieldError>();
        ApiProblems.RejectUnknown(body, ["id", "title"], "", errors);
        var id = ApiProblems.Get<string>(body, "id", errors);
        var title = ApiProblems.Get<string>(body, "title", errors);
        if (id is not null)
        {
            InputRules.CheckId(id, "id", errors);
        }
        InputRules.CheckTitle(title, "title", errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var result = await channels.CreateAsync(id, title!, ct);
        return ApiProblems.From(result, c => TypedResults.Created($"/api/v1/channels/{c!.Id}", new
        {
            id = c.Id,
            title = c.Title,
            streamKey = c.StreamKey,
            hostKey = c.HostKey,
            ingestUrl = urls.IngestUrl(request),
            watchUrl = urls.WatchUrl(c.Id, request),
            studioUrl = urls.StudioUrl(c.Id, request),
        }));
    }

    private static IResult Get(string id, HttpRequest request, ChannelService channels, IChannelRuntime runtime, PublicUrls urls) =>
        channels.Find(id) is { } c
            ? TypedResults.Ok(ChannelView.Detail(c, runtime, urls, request))
            : ApiProblems.NotFound($"no channel '{id}'");

    private static async Task<IResult> Delete(string id, ChannelService channels, CancellationToken ct) =>
        ApiProblems.From(await channels.DeleteAsync(id, ct), _ => TypedResults.NoContent());

    private static async Task<IResult> RotateStreamKey(string id, ChannelService channels, CancellationToken ct) =>
        ApiProblems.From(await channels.RotateStreamKeyAsync(id, ct), c => TypedResults.Ok(new { streamKey = c!.StreamKey }));

    private static async Task<IResult> RotateHostKey(string id, HttpContext http, ChannelService channels, CancellationToken ct)
    {
        var result = await channels.RotateHostKeyAsync(id, ct);
        if (result.Outcome == ChannelOutcome.Ok)
        {
            http.Response.Headers.CacheControl = "no-store";
        }
        return ApiProblems.From(result, c => TypedResults.Ok(new { hostKey = c!.HostKey }));
    }

    private static IResult RevealStreamKey(string id, HttpContext http, ChannelService channels)
    {
        if (channels.Find(id) is not { } c)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        // The reveal is the one place a key leaves the server after creation: keep it out of caches.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new { streamKey = c.StreamKey });
    }
}

/// <summary>How channels and destinations look in responses: secrets redacted, live state attached.</summary>
public static class ChannelView
{
    public static object Summary(ChannelDefinition c, IChannelRuntime runtime)
    {
        var ingest = runtime.GetIngest(c.Id);
        return new
        {
            id = c.Id,
            title = c.Title,
            live = ingest is not null,
            destinations = c.Destinations.Count,
            streamKey = Secrets.Redact(c.StreamKey),
        };
    }

    public static object Detail(ChannelDefinition c, IChannelRuntime runtime, PublicUrls urls, HttpRequest request)
    {
        var ingest = runtime.GetIngest(c.Id);
        return new
        {
            id = c.Id,
            title = c.Title,
            live = ingest is not null,
            ingest = ingest is null ? null : new
            {
                since = ingest.Since,
                videoCodec = ingest.VideoCodec,
                audioCodec = ingest.AudioCodec,
                width = ingest.Width,
                height = ingest.Height,
                fps = ingest.Fps,
                bitrateKbps = ingest.BitrateKbps,
                keyframeIntervalSeconds = ingest.KeyframeIntervalSeconds,
            },
            streamKey = Secrets.Redact(c.StreamKey),
            ingestUrl = urls.IngestUrl(request),
            watchUrl = urls.WatchUrl(c.Id, request),
            studioUrl = urls.StudioUrl(c.Id, request),
            destinations = c.Destinations.Select(d => Destination(c.Id, d, runtime)).ToList(),
            lineup = c.Lineup,
        };
    }

    public static object Destination(string channelId, EgressDestination d, IChannelRuntime runtime)
    {
        var state = runtime.GetDestination(channelId, d);
        return new
        {
            id = d.Id,
            name = d.Name,
            platform = d.Platform,
            url = Secrets.RedactUrl(d.Url, keyInPath: string.IsNullOrEmpty(d.StreamKey)),
            streamKey = Secrets.Redact(d.StreamKey),
            enabled = d.Enabled,
            engine = d.Engine,
            profile = d.Profile,
            state = state.StateName,
            reconnects = state.Reconnects,
            lastError = state.LastError,
            bitrateKbps = state.BitrateKbps,
            droppedFrames = state.DroppedFrames,
            warnings = state.Warnings,
        };
    }
}
