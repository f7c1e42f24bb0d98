using Microsoft.Extensions.Logging.Abstractions;
using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Tests.Unit.Server.Channels;

/// <summary>
/// <see cref="ChannelService.ReloadAsync"/>: a change another node stored reaches this node's memory and observers as
/// a local change would, and a change this node made itself is never told twice.
/// </summary>
public sealed class ChannelReloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_change_stored_elsewhere_is_applied_and_told_once()
    {
        var store = new MemoryStore();
        var observer = new RecordingObserver();
        var channels = new ChannelService(store, [observer], TimeProvider.System, NullLogger<ChannelService>.Instance);
        await channels.LoadAsync(Ct);

        // Another node creates a channel and sets its line-up: this node reads the store when told of it.
        var created = (await new ChannelService(store, [], TimeProvider.System, NullLogger<ChannelService>.Instance).CreateAsync("shop", "Shop", Ct)).Channel!;
        Assert.Equal([ChannelChange.Created], await ReloadAsync(channels, "shop"));
        Assert.Equal(created.StreamKey, channels.FindByStreamKey(created.StreamKey)?.StreamKey);
        await store.SetLineupAsync("shop", [new LineupItem("TEE", "Tee", 1500, "USD", null, 3)], Ct);
        Assert.Equal([ChannelChange.LineupChanged], await ReloadAsync(channels, "shop"));
        Assert.Equal("TEE", Assert.Single(channels.Find("shop")!.Lineup).Sku);
        var generation = channels.HostKeyGeneration("shop");

        // Heard twice (or heard after a reconnect's full reload): nothing differs the second time.
        Assert.Empty(await ReloadAsync(channels, "shop"));
        Assert.Equal(0, await ReloadAllAsync(channels));
        Assert.Equal(generation, channels.HostKeyGeneration("shop"));

        await store.SetHostKeyAsync("shop", "hk_elsewhere_0123456789", Ct);
        await store.SetStreamKeyAsync("shop", "sk_elsewhere_0123456789", Ct);
        Assert.Equal([ChannelChange.StreamKeyRotated, ChannelChange.HostKeyRotated], await ReloadAsync(channels, "shop"));
        Assert.NotEqual(generation, channels.HostKeyGeneration("shop"));
        Assert.Null(channels.FindByStreamKey(created.StreamKey));
        Assert.True(channels.IsHostKey("shop", "hk_elsewhere_0123456789"));

        await store.DeleteAsync("shop", Ct);
        Assert.Equal(1, await ReloadAllAsync(channels));
        Assert.Null(channels.Find("shop"));
        Assert.Equal(
            ["Created shop", "LineupChanged shop TEE", "StreamKeyRotated shop TEE", "HostKeyRotated shop TEE", "Deleted shop (gone)"],
            observer.Told);
    }

    [Fact]
    public async Task A_change_made_here_is_told_once_even_when_this_node_hears_of_it_again()
    {
        var store = new MemoryStore();
        var observer = new RecordingObserver();
        var channels = new ChannelService(store, [observer], TimeProvider.System, NullLogger<ChannelService>.Instance);
        await channels.LoadAsync(Ct);
        await channels.CreateAsync("shop", "Shop", Ct);
        await channels.SetLineupAsync("shop", [new LineupItem("TEE", "Tee", 1500, "USD", null, 3)], resetStock: true, Ct);

        Assert.Empty(await ReloadAsync(channels, "shop"));
        Assert.Equal(0, await ReloadAllAsync(channels));
        Assert.Equal(["Created shop", "LineupChangedStockReset shop TEE"], observer.Told);
    }

    private static async Task<IReadOnlyList<ChannelChange>> ReloadAsync(ChannelService channels, string id)
    {
        var (changes, told) = await channels.ReloadAsync(id, Ct);
        await told;
        return changes;
    }

    private static async Task<int> ReloadAllAsync(ChannelService channels)
    {
        var (changed, told) = await channels.ReloadAllAsync(Ct);
        await told;
        return changed;
    }

    private sealed class RecordingObserver : IChannelObserver
    {
        public List<string> Told { get; } = [];

        public Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct)
        {
            lock (Told)
            {
                Told.Add($"{change} {channelId}" + (channel is null ? " (gone)" : string.Concat(channel.Lineup.Select(i => " " + i.Sku))));
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>The shared store, in memory: what two ChannelServices on two nodes would read and write.</summary>
    private sealed class MemoryStore : IChannelStore
    {
        private readonly Dictionary<string, ChannelDefinition> _rows = [];

        public Task MigrateAsync(CancellationToken ct) => Task.CompletedTask;

        public Task<IReadOnlyList<ChannelDefinition>> ListAsync(CancellationToken ct)
        {
            lock (_rows) return Task.FromResult<IReadOnlyList<ChannelDefinition>>([.. _rows.Values]);
        }

        public Task<ChannelDefinition?> FindAsync(string id, CancellationToken ct)
        {
            lock (_rows) return Task.FromResult(_rows.GetValueOrDefault(id));
        }

        public Task<bool> TryCreateAsync(ChannelDefinition channel, CancellationToken ct)
        {
            lock (_rows) return Task.FromResult(_rows.TryAdd(channel.Id, channel with { HostKeyGeneration = 0 }));
        }

        public Task UpsertAsync(ChannelDefinition channel, CancellationToken ct)
        {
            lock (_rows) _rows[channel.Id] = channel with { HostKeyGeneration = 0 };
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAsync(string id, CancellationToken ct)
        {
            lock (_rows) return Task.FromResult(_rows.Remove(id));
        }

        public Task<bool> SetStreamKeyAsync(string id, string streamKey, CancellationToken ct) => Update(id, c => c with { StreamKey = streamKey });

        public Task<bool> SetHostKeyAsync(string id, string hostKey, CancellationToken ct) => Update(id, c => c with { HostKey = hostKey });

        public Task<bool> SetBackupStreamKeyAsync(string id, string backupStreamKey, CancellationToken ct) => Update(id, c => c with { BackupStreamKey = backupStreamKey });

        public Task<bool> SetSettingsAsync(string id, string title, bool rehearsal, DateTimeOffset? nextShowAt, CancellationToken ct) =>
            Update(id, c => c with { Title = title, Rehearsal = rehearsal, NextShowAt = nextShowAt });

        public Task<bool> SetLineupAsync(string id, IReadOnlyList<LineupItem> lineup, CancellationToken ct) => Update(id, c => c with { Lineup = [.. lineup] });

        public Task<bool> SetDestinationsAsync(string id, IReadOnlyList<EgressDestination> destinations, CancellationToken ct) =>
            Update(id, c => c with { Destinations = [.. destinations] });

        public Task<bool> CanReadAndWriteAsync(CancellationToken ct) => Task.FromResult(true);

        private Task<bool> Update(string id, Func<ChannelDefinition, ChannelDefinition> change)
        {
            lock (_rows)
            {
                if (!_rows.TryGetValue(id, out var row)) return Task.FromResult(false);
                _rows[id] = change(row);
                return Task.FromResult(true);
            }
        }
    }
}
