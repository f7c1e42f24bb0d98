using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Http;
using Relay.Chat.Access;
using Relay.Ingest.Egress;
using Relay.Server.Access;
using Relay.Server.Apis.Requests;
using Relay.Server.Apis.Views;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary><c>/api/v1/channels</c>: channel CRUD and settings, stream-key rotation and reveal, host-key rotation.</summary>
public static class ChannelsApi
{
    private static readonly string[] PatchFields = ["title", "rehearsal", "nextShowAt"];

    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels").WithTags("Channels");

        group.MapGet("/", List).RequireAuthorization(ApiPolicies.Admin)
            .WithSummary("List channels");
        group.MapPost("/", Create).RequireAuthorization(ApiPolicies.Admin)
            .WithSummary("Create a channel").Accepts<CreateChannelRequest>("application/json");
        group.MapGet("/{id}", Get).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("A channel with its live state");
        group.MapPatch("/{id}", Patch).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Change the title, the rehearsal switch or the next show's time").Accepts<PatchChannelRequest>("application/json");
        group.MapDelete("/{id}", Delete).RequireAuthorization(ApiPolicies.Admin)
            .WithSummary("Delete a channel (a live one is stopped first)");
        group.MapPost("/{id}/stream-key/rotate", RotateStreamKey).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Rotate the stream key (the old one stops working at once)");
        group.MapGet("/{id}/stream-key", RevealStreamKey).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Reveal the stream key");
        group.MapPost("/{id}/backup-stream-key/rotate", RotateBackupStreamKey).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Rotate the backup stream key (the old one stops working at once; a backup publisher with it is cut)");
        group.MapGet("/{id}/backup-stream-key", RevealBackupStreamKey).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Reveal the backup stream key");
        group.MapPost("/{id}/host-key/rotate", RotateHostKey).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Rotate the host key (the old one, and hub host rights made with it, stop at once)");
        return app;
    }

    private static Ok<List<ChannelSummary>> List(ChannelService channels, IChannelRuntime runtime) =>
        TypedResults.Ok(channels.All.Select(c => ChannelView.Summary(c, runtime)).ToList());

    private static async Task<Results<CatalogResult<Created<CreatedChannel>>, BodyProblem, ValidationProblem>> Create(HttpRequest request, ChannelService channels, PublicUrls urls, CancellationToken ct)
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
        return ApiProblems.From(result, c => TypedResults.Created($"/api/v1/channels/{c!.Id}", new CreatedChannel(
            c.Id, c.Title, c.StreamKey, c.HostKey, urls.IngestUrl(request), urls.WatchUrl(c.Id, request), urls.StudioUrl(c.Id, request), c.BackupStreamKey)));
    }

    private static Results<Ok<ChannelDetails>, NotFoundProblem> Get(string id, HttpRequest request, ChannelService channels, IChannelRuntime runtime, PublicUrls urls) =>
        channels.Find(id) is { } c
            ? TypedResults.Ok(ChannelView.Detail(c, runtime, urls, request))
            : ApiProblems.NotFound($"no channel '{id}'");

    private static async Task<Results<CatalogResult<Ok<ChannelDetails>>, BodyProblem, ValidationProblem>> Patch(
        string id, HttpRequest request, ChannelService channels, IChannelRuntime runtime, PublicUrls urls, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await ApiProblems.ReadBodyAsync(request, JsonValueKind.Object, ct);
        if (error is not null)
        {
            return error;
        }
        var errors = new List<FieldError>();
        ApiProblems.RejectUnknown(body, PatchFields, "", errors);
        var title = ApiProblems.Get<string>(body, "title", errors);
        if (ApiProblems.Has(body, "title"))
        {
            InputRules.CheckTitle(title, "title", errors);
        }
        var rehearsal = ApiProblems.Get<bool?>(body, "rehearsal", errors);
        if (ApiProblems.Has(body, "rehearsal") && rehearsal is null && !errors.Any(e => e.Field == "rehearsal"))
        {
            errors.Add(new("rehearsal", "must be true or false"));
        }
        var nextShowGiven = ApiProblems.Has(body, "nextShowAt");
        var nextShowText = ApiProblems.Get<string>(body, "nextShowAt", errors);
        var nextShowAt = nextShowText is null ? null : InputRules.CheckNextShowAt(nextShowText, time.GetUtcNow(), "nextShowAt", errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var result = await channels.UpdateSettingsAsync(id, new ChannelSettingsChange(title, rehearsal, nextShowGiven, nextShowAt), ct);
        return ApiProblems.From(result, c => TypedResults.Ok(ChannelView.Detail(c!, runtime, urls, request)));
    }

    private static async Task<CatalogResult<NoContent>> Delete(string id, ChannelService channels, CancellationToken ct) =>
        ApiProblems.From(await channels.DeleteAsync(id, ct), _ => TypedResults.NoContent());

    private static async Task<CatalogResult<Ok<StreamKeyAnswer>>> RotateStreamKey(string id, ChannelService channels, CancellationToken ct) =>
        ApiProblems.From(await channels.RotateStreamKeyAsync(id, ct), c => TypedResults.Ok(new StreamKeyAnswer(c!.StreamKey)));

    private static async Task<CatalogResult<Ok<BackupStreamKeyAnswer>>> RotateBackupStreamKey(string id, HttpContext http, ChannelService channels, CancellationToken ct)
    {
        var result = await channels.RotateBackupStreamKeyAsync(id, ct);
        if (result.Outcome == ChannelOutcome.Ok)
        {
            http.Response.Headers.CacheControl = "no-store";
        }
        return ApiProblems.From(result, c => TypedResults.Ok(new BackupStreamKeyAnswer(c!.BackupStreamKey!)));
    }

    private static Results<Ok<BackupStreamKeyAnswer>, NotFoundProblem> RevealBackupStreamKey(string id, HttpContext http, ChannelService channels)
    {
        if (channels.Find(id) is not { BackupStreamKey: { } key })
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new BackupStreamKeyAnswer(key));
    }

    private static async Task<CatalogResult<Ok<HostKeyAnswer>>> RotateHostKey(string id, HttpContext http, ChannelService channels, CancellationToken ct)
    {
        var result = await channels.RotateHostKeyAsync(id, ct);
        if (result.Outcome == ChannelOutcome.Ok)
        {
            http.Response.Headers.CacheControl = "no-store";
        }
        return ApiProblems.From(result, c => TypedResults.Ok(new HostKeyAnswer(c!.HostKey)));
    }

    private static Results<Ok<StreamKeyAnswer>, NotFoundProblem> RevealStreamKey(string id, HttpContext http, ChannelService channels)
    {
        if (channels.Find(id) is not { } c)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        // The reveal is the one place a key leaves the server after creation: keep it out of caches.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new StreamKeyAnswer(c.StreamKey));
    }
}
