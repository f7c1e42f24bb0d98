using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Tests.Unit.Server.Channels;

/// <summary>How a node turns a channel read back from the shared store into the changes its observers are told.</summary>
public sealed class ChannelDiffTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ChannelDefinition Channel() => new("shop", "Shop", "sk_1", "hk_1", false, false, At.AddTicks(1234567),
        [new EgressDestination("yt", "YouTube", "youtube", "rtmp://a.rtmp.youtube.com/live2", "key", true, new EgressProfile(Fps: 30))],
        [new LineupItem("TEE", "Tee", 1500, "USD", null, 5)]);

    [Fact]
    public void Nothing_differs_between_equal_states_even_as_new_list_instances_and_a_time_kept_to_the_microsecond()
    {
        var before = Channel();
        var readBack = Channel() with
        {
            CreatedAt = new DateTimeOffset(before.CreatedAt.UtcTicks / 10 * 10, TimeSpan.Zero),
            Destinations = [.. before.Destinations.Select(d => d with { })],
            Lineup = [.. before.Lineup],
        };
        Assert.Empty(ChannelDiff.Between(before, readBack));
        Assert.Empty(ChannelDiff.Between(null, null));
    }

    [Fact]
    public void A_title_change_alone_is_told_to_no_one() =>
        Assert.Empty(ChannelDiff.Between(Channel(), Channel() with { Title = "New title" }));

    [Fact]
    public void The_rehearsal_switch_and_the_next_show_are_told_apart()
    {
        var next = At.AddDays(2);
        Assert.Equal([ChannelChange.RehearsalChanged], ChannelDiff.Between(Channel(), Channel() with { Rehearsal = true }));
        Assert.Equal([ChannelChange.NextShowChanged], ChannelDiff.Between(Channel(), Channel() with { NextShowAt = next }));
        Assert.Equal([ChannelChange.NextShowChanged], ChannelDiff.Between(Channel() with { NextShowAt = next }, Channel()));
        Assert.Empty(ChannelDiff.Between(Channel() with { NextShowAt = next, Rehearsal = true }, Channel() with { NextShowAt = next, Rehearsal = true }));
    }

    [Fact]
    public void Creation_and_deletion_and_recreation_under_the_same_id()
    {
        Assert.Equal([ChannelChange.Created], ChannelDiff.Between(null, Channel()));
        Assert.Equal([ChannelChange.Deleted], ChannelDiff.Between(Channel(), null));
        Assert.Equal([ChannelChange.Deleted, ChannelChange.Created], ChannelDiff.Between(Channel(), Channel() with { CreatedAt = At.AddSeconds(5) }));
    }

    [Fact]
    public void Each_part_that_changed_is_told_once_in_a_fixed_order()
    {
        var before = Channel();
        Assert.Equal([ChannelChange.StreamKeyRotated], ChannelDiff.Between(before, before with { StreamKey = "sk_2" }));
        Assert.Equal([ChannelChange.HostKeyRotated], ChannelDiff.Between(before, before with { HostKey = "hk_2" }));
        Assert.Equal([ChannelChange.DestinationsChanged],
            ChannelDiff.Between(before, before with { Destinations = [before.Destinations[0] with { Profile = new EgressProfile(Fps: 25) }] }));
        Assert.Equal([ChannelChange.LineupChanged], ChannelDiff.Between(before, before with { Lineup = [before.Lineup[0] with { Stock = 4 }] }));
        Assert.Equal(
            [ChannelChange.StreamKeyRotated, ChannelChange.HostKeyRotated, ChannelChange.DestinationsChanged, ChannelChange.LineupChanged],
            ChannelDiff.Between(before, before with { StreamKey = "sk_2", HostKey = "hk_2", Destinations = [], Lineup = [] }));
    }
}
