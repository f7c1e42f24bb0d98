using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Access;
using Relay.Chat.Http;
using Relay.Chat.Orders;
using Relay.Server.Channels;
using Relay.Server.Shows;

namespace Relay.Server.Apis;

/// <summary>
/// A channel's shows and each show's report (contract v2 "Shows and reports"): the admin token or the channel's host key.
/// </summary>
public static class ShowsApi
{
    public static IEndpointRouteBuilder MapShowsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/channels/{id}/shows", ListAsync).WithTags("Shows").RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("A channel's shows, newest first")
            .WithDescription("A show is one live session of the channel, from publish to unpublish; a publish within Relay:Shows:MergeGapSeconds " +
                "(default 120) of the last one's end continues it. endedAt is null while the show goes on.")
            .WithMetadata(PagedList.Instance);
        app.MapGet("/api/v1/channels/{id}/shows/{showId}/report", ReportAsync).WithTags("Shows").RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("What happened during one show: viewers, chat, sales by product and referrer, destinations, the time line")
            .WithDescription("Orders count only once the order API confirmed them (pending, failed and dead-lettered ones are left out); gmvCents sums " +
                "them in currency; conversion = buyers / uniqueViewers, where a unique viewer is a user or guest that joined the room during the show. " +
                "timeline has one point per Relay:Shows:SampleSeconds (viewers at that time, the peak, messages and confirmed orders in the interval); " +
                "markers are the pins and flash sales with their time. ?format=csv answers the same report as a CSV for Excel (UTF-8 with BOM): " +
                "one row per product and a total, then the show's figures.")
            .Produces<ShowReport>(StatusCodes.Status200OK, "application/json", ShowReportCsv.ContentType);
        return app;
    }

    // The v1 array is declared last, so it is the 200 the document shows; ?limit= names the page.
    private static async Task<Results<Ok<ItemsPage<ShowSummary>>, Ok<List<ShowSummary>>, NotFoundProblem, ValidationProblem>> ListAsync(
        HttpContext http, string id, ChannelService channels, IShowStore shows, TimeProvider time, CancellationToken ct)
    {
        if (channels.Find(id) is null)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null)
        {
            return badPage;
        }
        var now = time.GetUtcNow();
        if (page is not null)
        {
            var rows = await shows.ListAsync(id, page.After, page.Limit + 1, ct);
            var last = rows.Count > page.Limit ? rows[page.Limit - 1] : null;
            return TypedResults.Ok(new ItemsPage<ShowSummary>(
                [.. rows.Take(page.Limit).Select(s => Summary(s, now))],
                last is null ? null : new ListCursor(last.StartedAt.ToUnixTimeMilliseconds(), last.Id).Encode()));
        }
        var all = await shows.ListAsync(id, null, int.MaxValue, ct);
        return TypedResults.Ok(all.Select(s => Summary(s, now)).ToList());
    }

    private static async Task<Results<Ok<ShowReport>, FileStreamHttpResult, NotFoundProblem, ValidationProblem>> ReportAsync(
        HttpContext http, string id, string showId, string? format, ChannelService channels, ShowReportBuilder reports, CancellationToken ct)
    {
        if (format is not (null or "json" or "csv"))
        {
            return ApiProblems.Invalid("format", "must be json or csv");
        }
        if (channels.Find(id) is null)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        if (await reports.BuildAsync(id, showId, ct) is not { } report)
        {
            return ApiProblems.NotFound($"no show '{showId}' of channel '{id}'");
        }
        http.Response.Headers.CacheControl = "private, no-cache";
        return format == "csv"
            ? TypedResults.Stream(new MemoryStream(ShowReportCsv.Write(report)), ShowReportCsv.ContentType, ShowReportCsv.FileName(report))
            : TypedResults.Ok(report);
    }

    private static ShowSummary Summary(ShowRecord s, DateTimeOffset now)
    {
        var channel = Uri.EscapeDataString(s.ChannelId);
        var show = Uri.EscapeDataString(s.Id);
        return new ShowSummary(s.Id, s.StartedAt, s.EndedAt, s.EndedAt is null, Math.Round(((s.EndedAt ?? now) - s.StartedAt).TotalSeconds, 1),
            $"/api/v1/channels/{channel}/shows/{show}/report", $"/studio/{channel}/shows/{show}");
    }
}
