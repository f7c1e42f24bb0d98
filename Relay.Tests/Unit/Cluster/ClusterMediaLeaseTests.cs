using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Publishing;
using Relay.Server.Cluster;
using Relay.Server.Cluster.Media;

namespace Relay.Tests.Unit.Cluster;

/// <summary>
/// The channel lease of a cluster node on a fake clock and an in-memory store that expires keys on the same clock: who
/// takes a channel, what refuses a publish, when renewals and their failures lose it, and that a node only ever
/// releases its own lease. (The Redis scripts themselves run against a real Redis in Integration/Cluster/ClusterMediaTests.)
/// </summary>
public sealed class ClusterMediaLeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    private ClusterChannelOwnership Node(FakeLeaseStore store, string id = "node-a") =>
        new(store, new ClusterNode(id, $"http://{id}:8080", Lease, clustered: true), _time, NullLogger<ClusterChannelOwnership>.Instance);

    [Fact]
    public void Renewal_runs_every_third_of_the_lease_and_gives_up_before_the_lease_can_expire()
    {
        var node = Node(new FakeLeaseStore(_time));
        Assert.Equal(TimeSpan.FromSeconds(1), node.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(2.5), node.GiveUpAfter);
        Assert.True(node.GiveUpAfter < Lease);
    }

    [Fact]
    public async Task The_first_node_takes_the_channel_and_a_second_publish_anywhere_is_already_live()
    {
        var store = new FakeLeaseStore(_time);
        var a = Node(store, "node-a");
        var b = Node(store, "node-b");

        var owned = await a.ClaimAsync("show", Ct);
        Assert.NotNull(owned.Lease);
        Assert.Null(owned.Refusal);
        Assert.Equal("node-a", store.Owner("show"));
        Assert.Equal("http://node-a:8080", await store.NodeUrlAsync("node-a"));
        Assert.Equal(["show"], a.Held);

        var onB = await b.ClaimAsync("show", Ct);
        Assert.Null(onB.Lease);
        Assert.Equal(PublishRejectReason.AlreadyLive, onB.Refusal);
        Assert.Empty(b.Held);

        var againOnA = await a.ClaimAsync("show", Ct);
        Assert.Null(againOnA.Lease);
        Assert.Equal(PublishRejectReason.AlreadyLive, againOnA.Refusal);
        Assert.Equal("node-a", store.Owner("show"));

        var other = await b.ClaimAsync("other", Ct);
        Assert.NotNull(other.Lease);
        await owned.Lease!.DisposeAsync();
        await other.Lease!.DisposeAsync();
    }

    [Fact]
    public async Task A_store_that_fails_or_does_not_answer_refuses_the_publish_as_ownership_unavailable()
    {
        var store = new FakeLeaseStore(_time) { Failing = true };
        var a = Node(store);
        var failed = await a.ClaimAsync("show", Ct);
        Assert.Null(failed.Lease);
        Assert.Equal(PublishRejectReason.OwnershipUnavailable, failed.Refusal);

        store.Failing = false;
        store.Hanging = true;
        var pending = a.ClaimAsync("show", Ct).AsTask();
        await AdvanceAsync(a.ClaimTimeout + TimeSpan.FromMilliseconds(100));
        var silent = await pending.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(PublishRejectReason.OwnershipUnavailable, silent.Refusal);
        Assert.Empty(a.Held);

        // Nothing of the refused claims stays behind: once the store answers, the channel is taken.
        store.Hanging = false;
        var owned = await a.ClaimAsync("show", Ct);
        Assert.NotNull(owned.Lease);
        await owned.Lease!.DisposeAsync();
    }

    [Fact]
    public async Task Renewals_keep_the_lease_past_its_length_and_announce_the_channel_live_each_time()
    {
        var store = new FakeLeaseStore(_time);
        var a = Node(store);
        var claim = await a.ClaimAsync("show", Ct);
        await AdvanceAsync(TimeSpan.FromSeconds(10));

        Assert.False(claim.Lease!.Lost.IsCancellationRequested);
        Assert.Equal("node-a", store.Owner("show"));
        Assert.InRange(store.Renewals, 9, 11);
        Assert.True(store.Announcements.Count(x => x is { Live: true, NodeId: "node-a", ChannelId: "show" }) >= 9);

        await claim.Lease.DisposeAsync();
        Assert.Null(store.Owner("show"));
        Assert.Empty(a.Held);
        Assert.Contains(store.Announcements, x => x is { Live: false, ChannelId: "show" });
    }

    [Fact]
    public async Task Renewals_failing_lose_the_lease_after_give_up_time_before_another_node_could_take_it()
    {
        var store = new FakeLeaseStore(_time);
        var a = Node(store, "node-a");
        var b = Node(store, "node-b");
        var claim = await a.ClaimAsync("show", Ct);
        var lost = TimeSpan.Zero;
        var start = _time.GetUtcNow();
        using var _ = claim.Lease!.Lost.Register(() => lost = _time.GetUtcNow() - start);
        store.Failing = true;

        await AdvanceAsync(TimeSpan.FromSeconds(2.2));
        Assert.False(claim.Lease.Lost.IsCancellationRequested);
        await AdvanceAsync(TimeSpan.FromSeconds(0.5));
        Assert.True(claim.Lease.Lost.IsCancellationRequested);
        Assert.InRange(lost, TimeSpan.FromSeconds(2.3), TimeSpan.FromSeconds(2.55));
        Assert.Empty(a.Held);

        // The store still had the key (it expires at 3 s): no other node could have taken the channel before a let go.
        store.Failing = false;
        Assert.Equal(PublishRejectReason.AlreadyLive, (await b.ClaimAsync("show", Ct)).Refusal);
        await AdvanceAsync(TimeSpan.FromSeconds(0.4));
        var taken = await b.ClaimAsync("show", Ct);
        Assert.NotNull(taken.Lease);

        // a's release (its publisher stopping) must not drop b's lease.
        await claim.Lease.DisposeAsync();
        Assert.Equal("node-b", store.Owner("show"));
        await taken.Lease!.DisposeAsync();
    }

    [Fact]
    public async Task A_store_that_does_not_answer_renewals_still_loses_the_lease_before_it_can_expire()
    {
        var store = new FakeLeaseStore(_time);
        var a = Node(store);
        var claim = await a.ClaimAsync("show", Ct);
        var lost = TimeSpan.Zero;
        var start = _time.GetUtcNow();
        using var _ = claim.Lease!.Lost.Register(() => lost = _time.GetUtcNow() - start);
        store.Hanging = true;

        await AdvanceAsync(TimeSpan.FromSeconds(2.8));
        Assert.True(claim.Lease.Lost.IsCancellationRequested);
        Assert.InRange(lost, TimeSpan.FromSeconds(2.3), TimeSpan.FromSeconds(2.55));
    }

    [Fact]
    public async Task A_slow_claim_answer_still_gets_a_renewal_in_before_the_give_up_time()
    {
        var store = new FakeLeaseStore(_time) { Hanging = true };
        var a = Node(store);
        var pending = a.ClaimAsync("show", Ct).AsTask();
        await AdvanceAsync(TimeSpan.FromSeconds(1.8));
        store.Hanging = false;
        store.ReleaseHung();
        var claim = await pending.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.NotNull(claim.Lease);

        await AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.False(claim.Lease!.Lost.IsCancellationRequested);
        Assert.True(store.Renewals >= 2);
        await claim.Lease.DisposeAsync();
    }

    [Fact]
    public async Task A_lease_another_node_holds_now_is_lost_at_the_next_renewal_and_kept_by_that_node()
    {
        var store = new FakeLeaseStore(_time);
        var a = Node(store);
        var claim = await a.ClaimAsync("show", Ct);
        store.Steal("show", "node-b");

        await AdvanceAsync(TimeSpan.FromSeconds(1.2));
        Assert.True(claim.Lease!.Lost.IsCancellationRequested);
        await claim.Lease.DisposeAsync();
        Assert.Equal("node-b", store.Owner("show"));
    }

    [Fact]
    public async Task A_node_restarted_under_the_same_id_takes_back_its_own_stale_lease()
    {
        var store = new FakeLeaseStore(_time);
        var before = await Node(store).ClaimAsync("show", Ct);
        Assert.NotNull(before.Lease);

        // kill -9: the renewals stop with the process; the key stays until it expires. A new process, same id.
        var restarted = Node(store);
        var claim = await restarted.ClaimAsync("show", Ct);
        Assert.NotNull(claim.Lease);
        await claim.Lease!.DisposeAsync();
    }

    [Fact]
    public void Announcements_round_trip_and_junk_is_ignored()
    {
        var since = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123);
        var live = new ChannelLiveAnnouncement("show-1", "node-a", since, Live: true);
        Assert.Equal("live|node-a|1765000000123|show-1", live.ToString());
        Assert.Equal(live, ChannelLiveAnnouncement.Parse(live.ToString()));
        Assert.Equal(live with { Live = false }, ChannelLiveAnnouncement.Parse("offline|node-a|1765000000123|show-1"));
        foreach (var junk in new[] { null, "", "live", "live|a|x|c", "up|a|1|c", "live||1|c", "live|a|1|", "live|a|-1|c" })
        {
            Assert.Null(ChannelLiveAnnouncement.Parse(junk));
        }
    }

    [Fact]
    public void The_other_nodes_live_channels_expire_a_lease_after_their_last_announcement()
    {
        var remote = new RemoteLiveChannels(null!, new ClusterNode("node-b", null, Lease, clustered: true), _time, NullLogger<RemoteLiveChannels>.Instance);
        var since = _time.GetUtcNow();
        remote.Apply(new ChannelLiveAnnouncement("show", "node-a", since, Live: true));
        remote.Apply(new ChannelLiveAnnouncement("mine", "node-b", since, Live: true));
        Assert.True(remote.TryGetLive("show", out var heardSince, out var owner));
        Assert.Equal(since, heardSince);
        Assert.Equal("node-a", owner);
        Assert.False(remote.TryGetLive("mine", out _, out _));

        _time.Advance(TimeSpan.FromSeconds(2));
        remote.Apply(new ChannelLiveAnnouncement("show", "node-a", since, Live: true));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(remote.TryGetLive("show", out _, out _));
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.False(remote.TryGetLive("show", out _, out _));

        remote.Apply(new ChannelLiveAnnouncement("show", "node-a", since, Live: true));
        remote.Apply(new ChannelLiveAnnouncement("show", "node-c", since, Live: false));
        Assert.True(remote.TryGetLive("show", out _, out _));
        remote.Apply(new ChannelLiveAnnouncement("show", "node-a", since, Live: false));
        Assert.False(remote.TryGetLive("show", out _, out _));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Moves the fake clock in small steps, letting the renewal loop's continuations run between them.</summary>
    private async Task AdvanceAsync(TimeSpan total)
    {
        var step = TimeSpan.FromMilliseconds(50);
        for (var done = TimeSpan.Zero; done < total; done += step)
        {
            _time.Advance(step);
            await Task.Delay(2, Ct);
        }
    }

    /// <summary>The lease rules of the Redis scripts, in memory, with keys expiring on the fake clock.</summary>
    private sealed class FakeLeaseStore(FakeTimeProvider time) : IChannelLeaseStore
    {
        private readonly Dictionary<string, (string Node, DateTimeOffset Until)> _owners = [];
        private readonly Dictionary<string, string> _urls = [];
        private readonly Lock _lock = new();

        public bool Failing { get; set; }

        public bool Hanging { get; set; }

        public int Renewals { get; private set; }

        public List<ChannelLiveAnnouncement> Announcements { get; } = [];

        public string? Owner(string channelId)
        {
            lock (_lock)
            {
                return _owners.TryGetValue(channelId, out var o) && o.Until > time.GetUtcNow() ? o.Node : null;
            }
        }

        public void Steal(string channelId, string node)
        {
            lock (_lock)
            {
                _owners[channelId] = (node, time.GetUtcNow() + Lease);
            }
        }

        public Task<string?> TryAcquireAsync(string channelId, string nodeId, string? nodeUrl, TimeSpan lease) => Answer(() =>
        {
            var holder = Owner(channelId);
            if (holder is not null && holder != nodeId)
            {
                return holder;
            }

            _owners[channelId] = (nodeId, time.GetUtcNow() + lease);
            _urls[nodeId] = nodeUrl ?? "";
            return (string?)null;
        });

        public Task<bool> RenewAsync(string channelId, string nodeId, TimeSpan lease) => Answer(() =>
        {
            Renewals++;
            if (Owner(channelId) != nodeId)
            {
                return false;
            }

            _owners[channelId] = (nodeId, time.GetUtcNow() + lease);
            return true;
        });

        public Task ReleaseAsync(string channelId, string nodeId) => Answer(() =>
        {
            if (Owner(channelId) == nodeId)
            {
                _owners.Remove(channelId);
            }

            return true;
        });

        public Task<string?> OwnerAsync(string channelId) => Answer(() => Owner(channelId));

        public Task<string?> NodeUrlAsync(string nodeId) => Answer(() => _urls.TryGetValue(nodeId, out var url) ? url : null);

        public Task AnnounceAsync(ChannelLiveAnnouncement announcement) => Answer(() =>
        {
            Announcements.Add(announcement);
            return true;
        });

        private readonly List<Action> _hung = [];

        /// <summary>Answers the calls that hung (as a slow store finally does).</summary>
        public void ReleaseHung()
        {
            Action[] hung;
            lock (_lock)
            {
                hung = [.. _hung];
                _hung.Clear();
            }

            foreach (var answer in hung)
            {
                answer();
            }
        }

        private Task<T> Answer<T>(Func<T> work)
        {
            if (Hanging)
            {
                var later = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_lock)
                {
                    _hung.Add(() =>
                    {
                        lock (_lock)
                        {
                            later.TrySetResult(work());
                        }
                    });
                }

                return later.Task;
            }

            if (Failing)
            {
                return Task.FromException<T>(new InvalidOperationException("store unreachable"));
            }

            lock (_lock)
            {
                return Task.FromResult(work());
            }
        }
    }
}
