using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Chat.Access;
using Relay.Chat.Http;
using Relay.Server.Apis.Requests;
using Relay.Server.Apis.Views;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary><c>/api/v1/channels/{id}/destinations</c>: where a channel's stream is pushed.</summary>
public static class DestinationsApi
{
    public const int MaxDestinationsPerChannel = 32;

    private static readonly string[] CreateFields = ["id", "name", "platform", "url", "streamKey", "enabled", "profile", "engine", "trackId"];
    private static readonly string[] PatchFields = ["name", "enabled", "url", "streamKey", "profile", "engine", "trackId"];
    private static readonly string[] ProfileFields = ["videoBitrateKbps", "maxWidth", "maxHeight", "fps", "keyframeIntervalSeconds", "aspect", "audioBitrateKbps"];

    public static IEndpointRouteBuilder MapDestinationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id}/destinations").WithTags("Destinations");
        group.MapGet("/", List).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("List a channel's destinations");
        group.MapPost("/", Create).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Add a destination (applied at once if live)").Accepts<CreateDestinationRequest>("application/json");
        group.MapGet("/{destId}", Get).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("A destination with its live state");
        group.MapPatch("/{destId}", Patch).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Change a destination (applied at once if live)").Accepts<PatchDestinationRequest>("application/json");
        group.MapDelete("/{destId}", Delete).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Remove a destination (its push stops, the others go on)");
        return app;
    }

    private static Results<Ok<List<DestinationView>>, NotFoundProblem> List(string id, ChannelService channels, IChannelRuntime runtime) =>
        channels.Find(id) is { } c
            ? TypedResults.Ok(c.Destinations.Select(d => ChannelView.Destination(id, d, runtime)).ToList())
            : ApiProblems.NotFound($"no channel '{id}'");

    private static Results<Ok<DestinationView>, NotFoundProblem> Get(string id, string destId, ChannelService channels, IChannelRuntime runtime) =>
        channels.Find(id) is not { } c ? ApiProblems.NotFound($"no channel '{id}'")
        : c.Destinations.FirstOrDefault(d => d.Id == destId) is { } d ? TypedResults.Ok(ChannelView.Destination(id, d, runtime))
        : ApiProblems.NotFound($"no destination '{destId}' on channel '{id}'");

    private static async Task<Results<CatalogResult<Created<DestinationView>>, NotFoundProblem, BodyProblem, ValidationProblem>> Create(
        string id, HttpRequest request, ChannelService channels, IChannelRuntime runtime, DestinationAddressPolicy addresses, CancellationToken ct)
    {
        if (channels.Find(id) is null)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        var (body, error) = await ApiProblems.ReadBodyAsync(request, JsonValueKind.Object, ct);
        if (error is not null)
        {
            return error;
        }
        var errors = new List<FieldError>();
        ApiProblems.RejectUnknown(body, CreateFields, "", errors);
        var destId = ApiProblems.Get<string>(body, "id", errors);
        var name = ApiProblems.Get<string>(body, "name", errors);
        var platform = ApiProblems.Get<string>(body, "platform", errors);
        var url = ApiProblems.Get<string>(body, "url", errors);
        var streamKey = ApiProblems.Get<string>(body, "streamKey", errors);
        var enabled = ApiProblems.Get<bool?>(body, "enabled", errors) ?? true;
        var engine = ApiProblems.Get<string>(body, "engine", errors);
        var trackId = ApiProblems.Get<int?>(body, "trackId", errors);
        var profile = ReadProfile(body, errors);
        AddTrackIdProblem(trackId, errors);
        if (destId is not null)
        {
            InputRules.CheckId(destId, "id", errors);
        }
        InputRules.CheckDestination(name, platform, url, streamKey, engine, profile, "", errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var preset = PlatformCatalog.Find(platform)!;
        var byAdmin = request.HttpContext.User.IsInRole(ApiRoles.Admin);
        var effectiveUrl = string.IsNullOrWhiteSpace(url) ? preset.DefaultUrl! : url;
        if (!byAdmin && await AddressProblemAsync(addresses, effectiveUrl, ct) is { } problem)
        {
            return ApiProblems.Invalid("url", problem);
        }
        EgressDestination? created = null;
        var result = await channels.EditDestinationsAsync(id, current =>
        {
            if (current.Count >= MaxDestinationsPerChannel)
            {
                throw new ConflictException($"channel '{id}' already has {MaxDestinationsPerChannel} destinations, the most allowed");
            }
            var newId = destId ?? UniqueId(InputRules.Slug(name!), current);
            if (current.Any(d => d.Id == newId))
            {
                throw new ConflictException($"channel '{id}' already has a destination '{newId}'");
            }
            created = new EgressDestination(newId, name!.Trim(), preset.Id, effectiveUrl,
                string.IsNullOrEmpty(streamKey) ? null : streamKey, enabled, profile, engine ?? EgressEngines.Auto, RequirePublicAddress: !byAdmin, TrackId: trackId);
            return [.. current, created];
        }, ct);
        return ApiProblems.From(result, _ =>
            TypedResults.Created($"/api/v1/channels/{id}/destinations/{created!.Id}", ChannelView.Destination(id, created, runtime)));
    }

    private static async Task<Results<CatalogResult<Ok<DestinationView>>, NotFoundProblem, BodyProblem, ValidationProblem>> Patch(
        string id, string destId, HttpRequest request, ChannelService channels, IChannelRuntime runtime, DestinationAddressPolicy addresses, CancellationToken ct)
    {
        if (channels.Find(id) is not { } channel)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        if (channel.Destinations.FirstOrDefault(d => d.Id == destId) is not { } before)
        {
            return ApiProblems.NotFound($"no destination '{destId}' on channel '{id}'");
        }
        var (body, error) = await ApiProblems.ReadBodyAsync(request, JsonValueKind.Object, ct);
        if (error is not null)
        {
            return error;
        }
        var errors = new List<FieldError>();
        ApiProblems.RejectUnknown(body, PatchFields, "", errors);
        var name = ApiProblems.Get<string>(body, "name", errors);
        var enabled = ApiProblems.Get<bool?>(body, "enabled", errors);
        var url = ApiProblems.Get<string>(body, "url", errors);
        var streamKey = ApiProblems.Get<string>(body, "streamKey", errors);
        var engine = ApiProblems.Get<string>(body, "engine", errors);
        var trackId = ApiProblems.Get<int?>(body, "trackId", errors);
        var profile = ReadProfile(body, errors);
        AddTrackIdProblem(trackId, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var byAdmin = request.HttpContext.User.IsInRole(ApiRoles.Admin);
        var newUrl = ApiProblems.Has(body, "url") ? url ?? "" : null;
        if (newUrl is not null && newUrl != before.Url)
        {
            // An empty url means the platform's preset, like at creation.
            var target = string.IsNullOrWhiteSpace(newUrl) ? PlatformCatalog.Find(before.Platform)?.DefaultUrl ?? "" : newUrl;
            // An unusable url is named by CheckDestination below; the key rule is about a usable one on another server.
            if (!ApiProblems.Has(body, "streamKey") && !string.IsNullOrEmpty(before.StreamKey) && RtmpPushTarget.TryParse(target, "k", out _, out _)
                && !SameServer(before.Url, target))
            {
                return ApiProblems.Invalid("streamKey", "is required when url moves to another server (scheme, host or port): a stored key is never sent to a new host");
            }
            if (!byAdmin && await AddressProblemAsync(addresses, target, ct) is { } problem)
            {
                return ApiProblems.Invalid("url", problem);
            }
        }

        EgressDestination? updated = null;
        var result = await channels.EditDestinationsAsync(id, current =>
        {
            var existing = current.FirstOrDefault(d => d.Id == destId)
                ?? throw new NotFoundException($"no destination '{destId}' on channel '{id}'");
            if (existing.Url != before.Url || existing.StreamKey != before.StreamKey)
            {
                // The checks above were made against the destination as it was; an edit in between changed it.
                throw new ConflictException($"destination '{destId}' was changed by another request meanwhile; read it and try again");
            }
            var urlChanged = newUrl is not null && newUrl != existing.Url;
            var next = existing with
            {
                Name = ApiProblems.Has(body, "name") ? name ?? "" : existing.Name,
                Enabled = enabled ?? existing.Enabled,
                Url = ApiProblems.Has(body, "url") ? url ?? "" : existing.Url,
                // An explicit null or "" clears the key (the URL then carries it).
                StreamKey = ApiProblems.Has(body, "streamKey") ? (string.IsNullOrEmpty(streamKey) ? null : streamKey) : existing.StreamKey,
                Engine = ApiProblems.Has(body, "engine") ? engine ?? EgressEngines.Auto : existing.Engine,
                Profile = ApiProblems.Has(body, "profile") ? profile : existing.Profile,
                RequirePublicAddress = urlChanged ? !byAdmin : existing.RequirePublicAddress,
                // An explicit null goes back to the default track.
                TrackId = ApiProblems.Has(body, "trackId") ? trackId : existing.TrackId,
            };
            var check = new List<FieldError>();
            InputRules.CheckDestination(next.Name, next.Platform, next.Url, next.StreamKey, next.Engine, next.Profile, "", check);
            if (check.Count > 0)
            {
                throw new InvalidInputException(check);
            }
            updated = next;
            return current.Select(d => d.Id == destId ? next : d).ToList();
        }, ct);
        return ApiProblems.From(result, _ => TypedResults.Ok(ChannelView.Destination(id, updated!, runtime)));
    }

    private static async Task<CatalogResult<NoContent>> Delete(string id, string destId, ChannelService channels, CancellationToken ct) =>
        ApiProblems.From(await channels.EditDestinationsAsync(id, current =>
            current.Any(d => d.Id == destId)
                ? current.Where(d => d.Id != destId).ToList()
                : throw new NotFoundException($"no destination '{destId}' on channel '{id}'"), ct),
            _ => TypedResults.NoContent());

    private static void AddTrackIdProblem(int? trackId, List<FieldError> errors)
    {
        if (EgressDestinationValidator.TrackIdProblem(trackId) is { } problem)
        {
            errors.Add(new("trackId", problem));
        }
    }

    /// <summary>Null when a host key may point the destination at this URL (contract v2 destination address policy).</summary>
    private static async Task<string?> AddressProblemAsync(DestinationAddressPolicy addresses, string url, CancellationToken ct) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IdnHost.Length > 0
            ? await addresses.ProblemWithAsync(uri.IdnHost, ct)
            : null; // not a URL at all: CheckDestination names that problem

    /// <summary>Same scheme, host and port, so the stored stream key would go to the same server.</summary>
    private static bool SameServer(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && string.Equals(x.Scheme, y.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(x.IdnHost, y.IdnHost, StringComparison.OrdinalIgnoreCase)
        && EffectivePort(x) == EffectivePort(y);

    private static int EffectivePort(Uri u) =>
        u.IsDefaultPort || u.Port <= 0 ? (u.Scheme == "rtmps" ? RtmpPushTarget.DefaultRtmpsPort : RtmpPushTarget.DefaultRtmpPort) : u.Port;

    private static EgressProfile? ReadProfile(JsonElement body, List<FieldError> errors)
    {
        if (!body.TryGetProperty("profile", out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (p.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("profile", "must be an object or null"));
            return null;
        }
        ApiProblems.RejectUnknown(p, ProfileFields, "profile.", errors);
        var profile = new EgressProfile(
            ApiProblems.Get<int?>(p, "videoBitrateKbps", errors, "profile.videoBitrateKbps"),
            ApiProblems.Get<int?>(p, "maxWidth", errors, "profile.maxWidth"),
            ApiProblems.Get<int?>(p, "maxHeight", errors, "profile.maxHeight"),
            ApiProblems.Get<int?>(p, "fps", errors, "profile.fps"),
            ApiProblems.Get<double?>(p, "keyframeIntervalSeconds", errors, "profile.keyframeIntervalSeconds"),
            ApiProblems.Get<string>(p, "aspect", errors, "profile.aspect"),
            ApiProblems.Get<int?>(p, "audioBitrateKbps", errors, "profile.audioBitrateKbps"));
        return profile.Transcodes ? profile : null;
    }

    private static string UniqueId(string slug, IReadOnlyList<EgressDestination> current)
    {
        var candidate = slug;
        for (var n = 2; current.Any(d => d.Id == candidate); n++)
        {
            candidate = $"{slug}-{n}";
        }
        return candidate;
    }
}
