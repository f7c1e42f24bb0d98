using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Configuration;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Unit.Ingest.Streams;

/// <summary>
/// A rehearsal is a private session of the registry: its observers hear "live" only when it turns public and "offline"
/// when it turns private or a public session ends, alternately; the public getters never give a private hub; turning
/// private ends every subscription but the previews.
/// </summary>
public class RehearsalSessionTests
{
    private sealed class Switch : IChannelRehearsal
    {
        public bool On { get; set; }

        public bool IsRehearsal(string channelId) => On;
    }

    private static LiveChannelRegistry NewRegistry(Switch rehearsal, ChannelEvents events) =>
        new(new Lazy<IReadOnlyList<ILiveChannelObserver>>([events]), Options.Create(new IngestOptions()), new FakeTimeProvider(),
            NullLogger<LiveChannelRegistry>.Instance, rehearsal);

    [Fact]
    public void A_rehearsing_publish_is_previewed_only_and_turns_public_and_private_with_the_switch()
    {
        var rehearsal = new Switch { On = true };
        var events = new ChannelEvents();
        var registry = NewRegistry(rehearsal, events);

        var session = registry.TryBeginPublish("demo")!;
        Assert.Empty(events.All);
        Assert.False(registry.IsLive("demo"));
        Assert.True(registry.IsPublished("demo"));
        Assert.True(registry.IsRehearsing("demo"));
        Assert.False(registry.TryGetHub("demo", out _));
        Assert.False(registry.TryGetPublishedHub("demo", out _));
        Assert.True(registry.TryGetPreviewHub("demo", out var hub));
        Assert.True(registry.GetStatus("demo")!.Rehearsal);

        var preview = hub.Subscribe("studio", LiveChannelRegistry.PreviewSubscriberKind);
        rehearsal.On = false;
        registry.RehearsalChanged("demo");
        registry.RehearsalChanged("demo"); // told twice, turns once
        Assert.Equal(["live:demo"], events.All);
        Assert.True(registry.IsLive("demo"));
        Assert.False(registry.GetStatus("demo")!.Rehearsal);

        var viewer = hub.Subscribe("viewer", "http_flv");
        rehearsal.On = true;
        registry.RehearsalChanged("demo");
        Assert.Equal(["live:demo", "offline:demo"], events.All);
        Assert.True(viewer.Reader.Completion.IsCompleted, "the public viewer was not ended");
        Assert.False(preview.Reader.Completion.IsCompleted, "the preview was ended");
        Assert.False(registry.IsLive("demo"));

        // Ending while private tells nobody "offline" again.
        registry.EndPublish(session, IngestEndReason.Dropped);
        Assert.Equal(["live:demo", "offline:demo"], events.All);
        Assert.True(preview.Reader.Completion.IsCompleted);
        registry.RehearsalChanged("demo");
        Assert.Equal(["live:demo", "offline:demo"], events.All);
    }

    [Fact]
    public void A_test_publish_stays_a_rehearsal_whatever_the_switch_says()
    {
        var rehearsal = new Switch { On = false };
        var events = new ChannelEvents();
        var registry = NewRegistry(rehearsal, events);

        var session = registry.TryBeginPublish("demo", testPublish: true)!;
        registry.RehearsalChanged("demo");
        Assert.False(registry.IsLive("demo"));
        Assert.Empty(events.All);
        registry.EndPublish(session, IngestEndReason.Unpublish);

        registry.EndPublish(registry.TryBeginPublish("demo")!, IngestEndReason.Unpublish);
        Assert.Equal(["live:demo", "offline:demo"], events.All);
    }
}
