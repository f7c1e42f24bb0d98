using Relay.Ingest.Amf0;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Streams;

/// <summary>
/// Media-time cues in the fan-out (docs/playback.md, "Cue points"): the hub's stream time is its last frame's timestamp; a cue
/// is an onCuePoint tag offered to players and kept with the GOP for a late joiner, never taken for the stream's metadata,
/// and never handed to egress (platforms may reject script data they do not know).
/// </summary>
public sealed class StreamHubCueTests
{
    private static readonly FlvTag Metadata = FlvTag.Create(FlvTagType.Script, 0, [0x02, 0x00, 0x0A, .. "onMetaData"u8, 0x08, 0, 0, 0, 0, 0, 0, 9]);
    private static readonly FlvTag VideoHeader = FlvTag.Create(FlvTagType.Video, 0, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F, 0xFF, 0xE0]);

    private static FlvTag Key(uint ts) => FlvTag.Create(FlvTagType.Video, ts, [0x17, 1, 0, 0, 0, 0xAA]);

    private static FlvTag Audio(uint ts) => FlvTag.Create(FlvTagType.Audio, ts, [0xAF, 1, 0xCC]);

    private static List<FlvTag> Drain(System.Threading.Channels.ChannelReader<FlvTag> reader)
    {
        var tags = new List<FlvTag>();
        while (reader.TryRead(out var t)) tags.Add(t);
        return tags;
    }

    [Fact]
    public void A_cue_reaches_players_and_late_joiners_at_its_stream_time_but_not_egress_and_never_replaces_the_metadata()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch);
        Assert.Null(hub.StreamTimeMs);
        hub.Publish(Metadata);
        hub.Publish(VideoHeader);
        hub.Publish(Key(1000));
        hub.Publish(Audio(1020));
        Assert.Equal(1020, hub.StreamTimeMs);
        using var player = hub.Subscribe("viewer", "http_flv");
        using var egress = new StreamHubEgressSource(hub).Subscribe("egress:yt", 64);
        Drain(player.Reader);
        Drain(egress.Frames);

        Assert.True(hub.PublishCue(7, "pin", "TEE", 1020));
        hub.Publish(Audio(1040));

        var played = Drain(player.Reader);
        Assert.Equal([FlvTagKind.CuePoint, FlvTagKind.AudioFrame], played.Select(t => t.Kind));
        Assert.Equal(1020u, played[0].Timestamp);
        var reader = new Amf0Reader(played[0].Body.Span);
        Assert.Equal("onCuePoint", reader.ReadString());
        var cue = Assert.IsType<Amf0Object>(reader.ReadValue());
        Assert.Equal(("pin", 1.02, "event"), ((string)cue["name"]!, (double)cue["time"]!, (string)cue["type"]!));
        var parameters = Assert.IsType<Amf0Object>(cue["parameters"]);
        Assert.Equal((7.0, "pin", "TEE"), ((double)parameters["seq"]!, (string)parameters["kind"]!, (string)parameters["id"]!));
        Assert.Equal([FlvTagKind.AudioFrame], Drain(egress.Frames).Select(t => t.Kind));

        // A late joiner starts with the real metadata and meets the cue inside the GOP; a late egress does not.
        using var late = hub.Subscribe("late", "http_flv");
        var start = Drain(late.Reader);
        Assert.Same(Metadata, start[0]);
        Assert.Equal(1, start.Count(t => t.Kind == FlvTagKind.CuePoint));
        using var lateEgress = new StreamHubEgressSource(hub).Subscribe("egress:tw", 64);
        var egressStart = Drain(lateEgress.Frames);
        Assert.Same(Metadata, egressStart[0]);
        Assert.DoesNotContain(egressStart, t => t.Kind == FlvTagKind.CuePoint || t.Type == FlvTagType.Script && t != Metadata);
    }

    [Fact]
    public void A_publisher_onCuePoint_is_classified_as_a_cue_and_metadata_stays_metadata()
    {
        Assert.Equal(FlvTagKind.CuePoint, CuePointTag.Create(0, 1, "draw", "dr_1").Kind);
        Assert.Equal(FlvTagKind.Metadata, Metadata.Kind);
        Assert.False(CuePointTag.IsCuePoint([0x02, 0x00, 0x0A, .. "onMetaData"u8]));
    }

    [Fact]
    public void An_ended_hub_has_no_stream_time_and_takes_no_cue()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch);
        hub.Publish(Key(500));
        Assert.Equal(500, hub.StreamTimeMs);
        hub.Complete();
        Assert.Null(hub.StreamTimeMs);
        Assert.False(hub.PublishCue(1, "pin", "TEE", 500));
    }
}
