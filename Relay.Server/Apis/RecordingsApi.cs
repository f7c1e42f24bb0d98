using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Access;
using Relay.Chat.Http;
using Relay.Ingest.Consumers.Recording;
using Relay.Server.Access;
using Relay.Server.Apis.Views;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary>
/// Recorded live sessions: <c>GET /api/v1/channels/{id}/recordings</c> lists them, <c>GET /recordings/{id}/{file}</c>
/// downloads (or plays, with ranges) the FLV or its timeline. Both need the admin token or the channel's host key.
/// </summary>
public static class RecordingsApi
{
    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/channels/{id}/recordings", List).WithTags("Recordings").RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("A channel's recorded sessions");
        // The route parameter is {id} because the channel-host policy reads the channel from it.
        app.MapGet("/recordings/{id}/{file}", Download).WithTags("Recordings").RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Download (or play, with ranges) a recording's FLV or its timeline")
            // A FileStreamHttpResult declares nothing itself: the two media types it streams are stated here, without a
            // body type (a Stream has no JSON schema, and the document's schemas come from the source-generated contexts).
            .Produces(StatusCodes.Status200OK, contentType: "video/x-flv", additionalContentTypes: ["application/json"]);
        return app;
    }

    private static Results<Ok<List<RecordingView>>, NotFoundProblem> List(string id, ChannelService channels, RecordingService recordings)
    {
        if (channels.Find(id) is null)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }

        return TypedResults.Ok(recordings.List(id).Select(r => new RecordingView(
            r.Id,
            r.StartedAt,
            r.EndedAt,
            r.DurationSeconds is { } d ? Math.Round(d, 3) : null,
            r.Bytes,
            r.InProgress,
            $"/recordings/{Uri.EscapeDataString(id)}/{r.FileName}",
            $"/recordings/{Uri.EscapeDataString(id)}/{r.TimelineFileName}")).ToList());
    }

    private static Results<FileStreamHttpResult, BadRequestProblem, NotFoundProblem> Download(string id, string file, HttpContext http, RecordingService recordings)
    {
        if (!RecordingFileNames.TryParse(file, out _, out _))
        {
            return new BadRequestProblem("Invalid recording file name", "expected {yyyyMMdd-HHmmss}.flv or {yyyyMMdd-HHmmss}.timeline.json");
        }

        if (recordings.ResolveFile(id, file, out var isTimeline) is not { } path)
        {
            return ApiProblems.NotFound($"no recording '{file}' for channel '{id}'");
        }

        http.Response.Headers.CacheControl = "private, no-cache";
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        return isTimeline
            ? TypedResults.Stream(stream, "application/json")
            : TypedResults.Stream(stream, "video/x-flv", fileDownloadName: file, enableRangeProcessing: true);
    }
}
