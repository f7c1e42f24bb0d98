using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Streams;

/// <summary>The publisher-thread write path (IInlineTagWriter): used only while nothing is queued, so order holds.</summary>
public class InlineWriterTests
{
    private static readonly FlvTag VideoHeader = FlvTag.Create(FlvTagType.Video, 0, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F, 0xFF, 0xE0]);

    private static FlvTag Key(uint ts) => FlvTag.Create(FlvTagType.Video, ts, [0x17, 1, 0, 0, 0, 0xAA]);

    private static FlvTag Inter(uint ts) => FlvTag.Create(FlvTagType.Video, ts, [0x27, 1, 0, 0, 0, 0xBB]);

    /// <summary>Takes a tag when <see cref="Accept"/> says so; records what it took and what the queue held then.</summary>
    private sealed class ScriptedWriter(StreamSubscription subscription, Func<int, bool> accept) : IInlineTagWriter
    {
        private int _calls;

        public List<FlvTag> Taken { get; } = [];

        public int CallsWithQueuedTags { get; private set; }

        public bool TryWrite(FlvTag tag)
        {
            if (subscription.Reader.Count > 0)
            {
                CallsWithQueuedTags++;
            }

            if (!accept(_calls++))
            {
                return false;
            }

            Taken.Add(tag);
            return true;
        }
    }

    [Fact]
    public void Tags_go_inline_while_the_queue_is_empty_and_queue_in_order_behind_a_refused_one()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch);
        hub.Publish(VideoHeader);
        hub.Publish(Key(0));
        using var subscription = hub.Subscribe("push");
        var primed = Drain(subscription); // the GOP burst is the consumer's to send
        Assert.Equal([VideoHeader.Timestamp, 0u], primed.Select(t => t.Timestamp));

        // Accept the first two calls, refuse the third: from then on tags must queue (the writer is not asked again
        // while something is queued), until the consumer drains the queue.
        var writer = new ScriptedWriter(subscription, call => call != 2);
        subscription.SetInlineWriter(writer);
        var published = Enumerable.Range(1, 6).Select(i => Inter((uint)(i * 33))).ToList();
        foreach (var tag in published) hub.Publish(tag);

        Assert.Equal(published.Take(2), writer.Taken);
        var queued = Drain(subscription);
        Assert.Equal(published.Skip(2), queued);
        Assert.Equal(0, writer.CallsWithQueuedTags);

        // Drained: inline again.
        var next = Inter(300);
        hub.Publish(next);
        Assert.Same(next, writer.Taken[^1]);
        Assert.Equal(0, subscription.Reader.Count);
    }

    [Fact]
    public void A_detached_or_completed_writer_is_not_called_again()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch);
        hub.Publish(VideoHeader);
        hub.Publish(Key(0));
        using var subscription = hub.Subscribe("push");
        Drain(subscription);
        var writer = new ScriptedWriter(subscription, _ => true);
        subscription.SetInlineWriter(writer);
        hub.Publish(Inter(33));
        subscription.SetInlineWriter(null);
        hub.Publish(Inter(66));
        Assert.Single(writer.Taken);
        Assert.Equal([66u], Drain(subscription).Select(t => t.Timestamp));

        subscription.SetInlineWriter(writer);
        hub.Complete();
        subscription.SetInlineWriter(writer); // after the end: ignored
        hub.Publish(Inter(99));
        Assert.Single(writer.Taken);
    }

    [Fact]
    public void A_slow_consumer_still_drops_to_the_next_keyframe_when_the_writer_refuses()
    {
        var hub = new StreamHub("demo", DateTimeOffset.UnixEpoch, new SubscriberLimits(MaxTags: 4));
        hub.Publish(VideoHeader);
        hub.Publish(Key(0));
        using var subscription = hub.Subscribe("push");
        Drain(subscription);
        subscription.SetInlineWriter(new ScriptedWriter(subscription, _ => false)); // socket full throughout
        for (var i = 1; i <= 10; i++) hub.Publish(Inter((uint)(i * 33)));
        var key = Key(400);
        hub.Publish(key);
        var queued = Drain(subscription);
        Assert.True(subscription.DroppedFrames > 0);
        Assert.Contains(key, queued);
        Assert.DoesNotContain(queued, t => t.Kind == FlvTagKind.VideoInterframe && t.Timestamp > 4 * 33 && t.Timestamp < 400);
    }

    private static List<FlvTag> Drain(StreamSubscription s)
    {
        var tags = new List<FlvTag>();
        while (s.Reader.TryRead(out var t)) tags.Add(t);
        return tags;
    }
}
