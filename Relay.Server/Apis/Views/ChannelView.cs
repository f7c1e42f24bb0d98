using Relay.Server.Security;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Views;

/// <summary>How channels and destinations look in responses: secrets redacted, live state attached.</summary>
public static class ChannelView
{
    public static ChannelSummary Summary(ChannelDefinition c, IChannelRuntime runtime) =>
        new(c.Id, c.Title, runtime.GetIngest(c.Id) is { Rehearsal: false }, c.Destinations.Count, Secrets.Redact(c.StreamKey), c.Rehearsal, c.NextShowAt);

    public static ChannelDetails Detail(ChannelDefinition c, IChannelRuntime runtime, PublicUrls urls, HttpRequest request)
    {
        var ingest = runtime.GetIngest(c.Id);
        return new ChannelDetails(
            c.Id,
            c.Title,
            ingest is { Rehearsal: false },
            c.Rehearsal,
            c.NextShowAt,
            ingest,
            Secrets.Redact(c.StreamKey),
            urls.IngestUrl(request),
            urls.WatchUrl(c.Id, request),
            urls.StudioUrl(c.Id, request),
            c.Destinations.Select(d => Destination(c.Id, d, runtime)).ToList(),
            c.Lineup,
            Secrets.Redact(c.BackupStreamKey),
            urls.SrtUrl(request));
    }

    public static DestinationView Destination(string channelId, EgressDestination d, IChannelRuntime runtime)
    {
        var state = runtime.GetDestination(channelId, d);
        return new DestinationView(
            d.Id,
            d.Name,
            d.Platform,
            Secrets.RedactUrl(d.Url, keyInPath: string.IsNullOrEmpty(d.StreamKey)),
            Secrets.Redact(d.StreamKey),
            d.Enabled,
            d.Engine,
            d.Profile,
            state.StateName,
            state.Reconnects,
            state.LastError,
            state.BitrateKbps,
            state.DroppedFrames,
            state.Warnings,
            state.LiveSeconds,
            d.TrackId);
    }
}
