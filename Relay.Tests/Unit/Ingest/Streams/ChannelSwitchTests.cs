using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Streams;

/// <summary>
/// The switch point's rules on tags alone (the slate itself is proven end to end by Integration/Ingest/SlateTests): the
/// first publisher passes untouched; an input taking over waits for its keyframe, sends its own sequence headers first
/// when they differ, and continues the output's timestamps one frame interval on; the primary takes over from the
/// backup; a standby's clean unpublish ends nothing, the on-air one's ends the channel.
/// </summary>
public sealed class ChannelSwitchTests
{
    private static FlvTag VideoHeader(byte marker) => FlvTag.Create(FlvTagType.Video, 0, [0x17, 0, 0, 0, 0, 1, marker]);

    private static FlvTag Video(uint timestamp, bool keyframe) => FlvTag.Create(FlvTagType.Video, timestamp, [(byte)(keyframe ? 0x17 : 0x27), 1, 0, 0, 0, 0x65]);

    private static FlvTag Audio(uint timestamp) => FlvTag.Create(FlvTagType.Audio, timestamp, [0xAF, 1, 0x21]);

    private static (ChannelSwitch Switch, PublisherSession Session, StreamSubscription Output) Start()
    {
        var hub = new StreamHub("switch", DateTimeOffset.UnixEpoch);
        var session = new PublisherSession(hub);
        // Slate off: these rules hold without it (the watchdog and the slate run only with it).
        var channelSwitch = new ChannelSwitch(hub, null, TimeSpan.Zero, () => true, () => { }, new FakeTimeProvider(), NullLogger.Instance);
        session.Switch = channelSwitch;
        return (channelSwitch, session, hub.Subscribe("test"));
    }

    private static List<FlvTag> Drain(StreamSubscription output)
    {
        var tags = new List<FlvTag>();
        while (output.Reader.TryRead(out var tag))
        {
            tags.Add(tag);
        }

        return tags;
    }

    [Fact]
    public void The_first_publisher_passes_untouched_and_a_backup_takes_over_at_its_keyframe_with_continuing_timestamps()
    {
        var (channel, session, output) = Start();
        var primary = channel.TryAttach(session, IngestInput.Primary)!;
        var primaryTags = new[] { VideoHeader(1), Video(1000, true), Audio(1010), Video(1033, false), Audio(1033), Video(1066, false) };
        foreach (var tag in primaryTags)
        {
            channel.Publish(primary, tag);
        }

        Assert.Equal(primaryTags, Drain(output));
        Assert.Equal(OnAirSource.Primary, channel.OnAir);

        var backup = channel.TryAttach(session, IngestInput.Backup)!;
        Assert.Null(channel.TryAttach(session, IngestInput.Backup));
        channel.Publish(backup, VideoHeader(2));
        channel.Publish(backup, Video(40, true));
        Assert.Empty(Drain(output));
        Assert.True(channel.BackupStandby);

        Assert.Null(channel.Detach(primary, IngestEndReason.Dropped));
        channel.Publish(backup, Video(73, false));
        channel.Publish(backup, Audio(75));
        Assert.Empty(Drain(output));

        channel.Publish(backup, Video(5000, true));
        channel.Publish(backup, Audio(4990));
        channel.Publish(backup, Video(5033, false));
        var switched = Drain(output);
        Assert.Equal(OnAirSource.Backup, channel.OnAir);
        Assert.Equal(FlvTagKind.VideoSequenceHeader, switched[0].Kind);
        Assert.Equal(2, switched[0].Body.Span[^1]);
        // One frame interval (30 fps without a measured rate) after the last tag out, 1066.
        Assert.Equal(FlvTagKind.VideoKeyframe, switched[1].Kind);
        Assert.Equal(1099u, switched[1].Timestamp);
        Assert.Equal(1089u, switched[2].Timestamp);
        Assert.Equal(1132u, switched[3].Timestamp);
    }

    [Fact]
    public void The_primary_returning_takes_over_from_the_backup_and_neither_track_goes_back()
    {
        var (channel, session, output) = Start();
        var backup = channel.TryAttach(session, IngestInput.Backup)!;
        foreach (var tag in new[] { VideoHeader(2), Video(0, true), Audio(0), Video(33, false), Audio(40) })
        {
            channel.Publish(backup, tag);
        }

        Assert.Equal(OnAirSource.Backup, channel.OnAir);
        var primary = channel.TryAttach(session, IngestInput.Primary)!;
        channel.Publish(primary, VideoHeader(1));
        channel.Publish(primary, Audio(900));
        channel.Publish(primary, Video(1000, true));
        // Audio stamped before its keyframe would land before the backup's last audio: it is moved after it.
        channel.Publish(primary, Audio(960));
        channel.Publish(primary, Video(1033, false));
        channel.Publish(backup, Video(66, false));
        Assert.Equal(OnAirSource.Primary, channel.OnAir);
        Assert.True(channel.BackupStandby);

        var tags = Drain(output);
        var lastByTrack = new Dictionary<FlvTagType, uint>();
        foreach (var tag in tags)
        {
            Assert.True(!lastByTrack.TryGetValue(tag.Type, out var last) || tag.Timestamp >= last, $"{tag} went back from {last}");
            lastByTrack[tag.Type] = tag.Timestamp;
        }

        var primaryKeyframe = tags.Last(t => t.IsKeyframe);
        Assert.Equal(73u, primaryKeyframe.Timestamp);
        Assert.Equal(1, tags[tags.IndexOf(primaryKeyframe) - 1].Body.Span[^1]);
        Assert.Equal(41u, tags.Last(t => t.IsAudio).Timestamp);
        Assert.DoesNotContain(tags, t => t.IsVideo && !t.IsSequenceHeader && t.Timestamp == 66);

        // A standby's clean stop is its own; the on-air one's ends the channel.
        Assert.Null(channel.Detach(backup, IngestEndReason.Unpublish));
        Assert.Equal(IngestEndReason.Unpublish, channel.Detach(primary, IngestEndReason.Unpublish));
    }

    [Fact]
    public void Without_a_slate_the_last_input_dropping_ends_the_channel_and_a_server_stop_ends_it_whatever_is_attached()
    {
        var (channel, session, _) = Start();
        var primary = channel.TryAttach(session, IngestInput.Primary)!;
        channel.Publish(primary, Video(0, true));
        Assert.Equal(IngestEndReason.Dropped, channel.Detach(primary, IngestEndReason.Dropped));

        var (other, otherSession, _) = Start();
        var first = other.TryAttach(otherSession, IngestInput.Primary)!;
        _ = other.TryAttach(otherSession, IngestInput.Backup)!;
        Assert.Equal(IngestEndReason.Refused, other.Detach(first, IngestEndReason.Refused));
        Assert.Single(other.Close());
    }
}
