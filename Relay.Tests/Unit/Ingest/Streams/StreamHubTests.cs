using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Streams;

public class StreamHubTests
{
    private static readonly FlvTag Metadata = FlvTag.Create(FlvTagType.Script, 0, [0x02, 0x00, 0x0A, .. "onMetaData"u8, 0x08, 0, 0, 0, 0, 0, 0, 9]);
    private static readonly FlvTag VideoHeader = FlvTag.Create(FlvTagType.Video, 0, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F, 0xFF, 0xE0]);
    private static readonly FlvTag AudioHeader = FlvTag.Create(FlvTagType.Audio, 0, [0xAF, 0, 0x12, 0x10]);

    private static FlvTag Key(uint ts) => FlvTag.Create(FlvTagType.Video, ts, [0x17, 1, 0, 0, 0, 0xAA]);

    private static FlvTag Inter(uint ts) => FlvTag.Create(FlvTagType.Video, ts, [0x27, 1, 0, 0, 0, 0xBB]);

    private static FlvTag Audio(uint ts) => FlvTag.Create(FlvTagType.Audio, ts, [0xAF, 1, 0xCC]);

    private static List<FlvTag> Drain(StreamSubscription s)
    {
        var tags = new List<FlvTag>();
        while (s.Reader.TryRead(out var t))
        {
            tags.Add(t);
        }

        return tags;
    }

    private static StreamHub LiveHub()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch);
        hub.Publish(Metadata);
        hub.Publish(VideoHeader);
        hub.Publish(AudioHeader);
        return hub;
    }

    [Fact]
    public void A_late_subscriber_starts_with_metadata_sequence_headers_and_the_GOP_from_the_last_keyframe()
    {
        var hub = LiveHub();
        hub.Publish(Key(0));
        hub.Publish(Inter(33));
        var secondKey = Key(66);
        hub.Publish(secondKey);
        hub.Publish(Audio(70));
        hub.Publish(Inter(100));

        using var late = hub.Subscribe("late");

        var tags = Drain(late);
        Assert.Equal([Metadata, VideoHeader, AudioHeader, secondKey], tags.Take(4));
        Assert.Equal([70u, 100u], tags.Skip(4).Select(t => t.Timestamp));
        Assert.Same(secondKey, tags[3]); // shared, not copied
    }

    [Fact]
    public void Before_the_first_keyframe_a_subscriber_gets_headers_but_no_undecodable_frames()
    {
        var hub = LiveHub();
        using var early = hub.Subscribe("early");
        hub.Publish(Inter(0));
        hub.Publish(Audio(5));
        var key = Key(33);
        hub.Publish(key);

        Assert.Equal([Metadata, VideoHeader, AudioHeader, key], Drain(early));
        Assert.Equal(2, early.DroppedFrames); // the inter frame and the audio before the keyframe
    }

    [Fact]
    public void A_slow_subscriber_is_cleared_and_resumes_at_the_next_keyframe_while_a_fast_one_gets_everything()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch, new SubscriberLimits(MaxTags: 8));
        hub.Publish(VideoHeader);
        using var slow = hub.Subscribe("slow", "test");
        using var fast = hub.Subscribe("fast", "test");
        var fastSeen = Drain(fast);
        uint ts = 0;
        hub.Publish(Key(ts));
        for (var i = 0; i < 20; i++)
        {
            hub.Publish(Inter(ts += 33));
            fastSeen.AddRange(Drain(fast));
        }

        var resume = Key(ts += 33);
        hub.Publish(resume);
        hub.Publish(Inter(ts += 33));
        fastSeen.AddRange(Drain(fast));

        var slowSeen = Drain(slow);
        Assert.Equal(24, fastSeen.Count); // header + key + 20 inter + key + inter
        Assert.Equal(0, fast.DroppedFrames);
        // The queued header went with the cleared queue, so it is sent again before the keyframe.
        Assert.Equal([VideoHeader, resume], slowSeen.Take(2));
        Assert.Equal(resume.Timestamp + 33, slowSeen[2].Timestamp);
        Assert.Equal(3, slowSeen.Count);
        Assert.Equal(21, slow.DroppedFrames); // the first GOP: keyframe and 20 inter frames
        Assert.True(slow.QueuedBytes == 0);
    }

    [Fact]
    public void Changed_sequence_headers_are_resent_when_a_dropping_subscriber_resumes()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch, new SubscriberLimits(MaxTags: 2));
        hub.Publish(VideoHeader);
        hub.Publish(Key(0));
        using var slow = hub.Subscribe("slow");
        Drain(slow);
        hub.Publish(Inter(33));
        hub.Publish(Inter(66));
        hub.Publish(Inter(99)); // overflow: waiting for a keyframe
        var newHeader = FlvTag.Create(FlvTagType.Video, 120, [0x17, 0, 0, 0, 0, 1, 0x4D, 0, 0x1F, 0xFF, 0xE0]);
        hub.Publish(newHeader);
        var key = Key(133);
        hub.Publish(key);

        Assert.Equal([newHeader, key], Drain(slow).TakeLast(2));
    }

    [Fact]
    public async Task Completion_ends_every_reader_and_later_subscribers_complete_at_once()
    {
        var hub = LiveHub();
        var sub = hub.Subscribe("viewer");
        hub.Complete();
        hub.Publish(Key(0)); // ignored after completion

        Assert.Equal(3, Drain(sub).Count);
        await sub.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        using var after = hub.Subscribe("after");
        await after.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(0, hub.SubscriberCount);
    }

    [Fact]
    public void Disposed_subscribers_leave_and_free_their_queue()
    {
        var hub = LiveHub();
        var sub = hub.Subscribe("viewer");
        hub.Publish(Key(0));
        Assert.Equal(1, hub.SubscriberCount);
        sub.Dispose();
        Assert.Equal(0, hub.SubscriberCount);
        Assert.Equal(0, sub.QueuedBytes);
        hub.Publish(Inter(33)); // no one to deliver to; must not throw
    }

    [Fact]
    public async Task Publishing_while_subscribers_come_and_go_and_read_concurrently_never_blocks_or_throws()
    {
        var hub = LiveHub();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        using var reader = hub.Subscribe("reader");
        // Dedicated threads: on 2 cores the thread pool would starve one of them behind the publishing loop.
        var churn = Task.Factory.StartNew(() =>
        {
            while (!cts.IsCancellationRequested)
            {
                using var s = hub.Subscribe("churn");
                s.Reader.TryRead(out _);
            }
        }, TaskCreationOptions.LongRunning);
        var read = Task.Factory.StartNew(() =>
        {
            var n = 0;
            while (!cts.IsCancellationRequested)
            {
                n += reader.Reader.TryRead(out _) ? 1 : 0;
            }

            return n;
        }, TaskCreationOptions.LongRunning);

        uint ts = 0;
        var published = 0;
        while (!cts.IsCancellationRequested)
        {
            hub.Publish(published % 30 == 0 ? Key(ts += 33) : Inter(ts += 33));
            published++;
        }

        await churn;
        var received = await read;
        Assert.True(received > 100, $"reader got {received}");
        Assert.True(published > 1000, $"published {published}");
        Assert.Equal(1, hub.SubscriberCount);
    }
}
