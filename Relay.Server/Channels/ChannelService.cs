using Relay.Server.Security;
using System.Collections.Immutable;
using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Diagnostics;

namespace Relay.Server.Channels;

/// <summary>
/// The channels, read from an in-memory snapshot (ingest and hub authentication look keys up
/// on every connection) and written through to the store one change at a time.
/// </summary>
public sealed class ChannelService(IChannelStore store, IEnumerable<IChannelObserver> observers, TimeProvider time, ILogger<ChannelService> logger)
{
    public const string StreamKeyPrefix = "sk_";
    public const string HostKeyPrefix = "hk_";

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Per channel, the notification the next change must wait for (see MutateAsync).
    private readonly Lock _notificationGate = new();
    private readonly Dictionary<string, Task> _lastNotification = new(StringComparer.Ordinal);

    // Process-wide, so a channel deleted and created again under the same id never gets a generation it had before.
    private static long s_hostKeyGeneration;
    private ImmutableDictionary<string, ChannelDefinition> _channels = ImmutableDictionary<string, ChannelDefinition>.Empty.WithComparers(StringComparer.Ordinal);

    public IReadOnlyCollection<ChannelDefinition> All => _channels.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();

    public ChannelDefinition? Find(string id) => _channels.GetValueOrDefault(id);

    public const string BackupStreamKeyPrefix = "bk_";

    /// <summary>The channel whose backup stream key this is; every channel is compared, in constant time each.</summary>
    public ChannelDefinition? FindByBackupStreamKey(string? backupStreamKey)
    {
        if (string.IsNullOrEmpty(backupStreamKey))
        {
            return null;
        }
        ChannelDefinition? match = null;
        foreach (var channel in _channels.Values)
        {
            if (channel.BackupStreamKey is { } key && Secrets.Matches(backupStreamKey, key))
            {
                match = channel;
            }
        }
        return match;
    }

    /// <summary>The channel whose stream key this is; every channel is compared, in constant time each.</summary>
    public ChannelDefinition? FindByStreamKey(string? streamKey)
    {
        if (string.IsNullOrEmpty(streamKey))
        {
            return null;
        }
        ChannelDefinition? match = null;
        foreach (var channel in _channels.Values)
        {
            if (Secrets.Matches(streamKey, channel.StreamKey))
            {
                match = channel;
            }
        }
        return match;
    }

    public bool IsHostKey(string channelId, string? key) =>
        _channels.TryGetValue(channelId, out var channel) && Secrets.Matches(key, channel.HostKey);

    /// <summary>Whether the key is the host key of any channel (a real credential: 403 rather than 401 where it does not reach).</summary>
    public bool IsAnyHostKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }
        var match = false;
        foreach (var channel in _channels.Values)
        {
            // Every channel is compared, so the time taken does not say which one matched.
            match |= Secrets.Matches(key, channel.HostKey);
        }
        return match;
    }

    /// <summary>
    /// The generation of the channel's current host key (see <see cref="Channel.HostKeyGeneration"/>), or null when
    /// there is no such channel. Read before checking a key, a stale generation can only be older, never newer.
    /// </summary>
    public long? HostKeyGeneration(string channelId) =>
        _channels.TryGetValue(channelId, out var channel) ? channel.HostKeyGeneration : null;

    private static ChannelDefinition WithNewGeneration(ChannelDefinition channel) =>
        channel with { HostKeyGeneration = Interlocked.Increment(ref s_hostKeyGeneration) };

    public async Task LoadAsync(CancellationToken ct)
    {
        var all = await store.ListAsync(ct);
        var loaded = new List<ChannelDefinition>(all.Count);
        foreach (var stored in all)
        {
            var channel = stored;
            if (channel.BackupStreamKey is null)
            {
                // Stored before the backup key existed (issue 17): it gets one now, as a new channel would.
                channel = channel with { BackupStreamKey = Secrets.NewKey(BackupStreamKeyPrefix) };
                await store.SetBackupStreamKeyAsync(channel.Id, channel.BackupStreamKey, ct);
            }
            loaded.Add(channel);
        }
        _channels = loaded.Select(WithNewGeneration).ToImmutableDictionary(c => c.Id, StringComparer.Ordinal);
    }

    public async Task<ChannelResult> CreateAsync(string? id, string title, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            id ??= UniqueIdFor(title);
            var channel = WithNewGeneration(new ChannelDefinition(id, title.Trim(), Secrets.NewKey(StreamKeyPrefix), Secrets.NewKey(HostKeyPrefix),
                false, false, time.GetUtcNow(), [], []) { BackupStreamKey = Secrets.NewKey(BackupStreamKeyPrefix) });
            if (!await store.TryCreateAsync(channel, ct))
            {
                return ChannelResult.Conflict($"a channel with id '{id}' already exists");
            }
            _channels = _channels.SetItem(id, channel);
            await NotifyAsync(id, ChannelChange.Created, channel, ct);
            return new(ChannelOutcome.Ok, channel);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a channel whole (configuration seeding, demo channel).</summary>
    public async Task UpsertAsync(ChannelDefinition channel, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            if (channel.BackupStreamKey is null)
            {
                // Configuration and the demo channel declare no backup key: keep the stored one, or make one.
                channel = channel with { BackupStreamKey = _channels.GetValueOrDefault(channel.Id)?.BackupStreamKey ?? Secrets.NewKey(BackupStreamKeyPrefix) };
            }
            await store.UpsertAsync(channel, ct);
            channel = _channels.TryGetValue(channel.Id, out var before) && before.HostKey == channel.HostKey
                ? channel with { HostKeyGeneration = before.HostKeyGeneration }
                : WithNewGeneration(channel);
            _channels = _channels.SetItem(channel.Id, channel);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<ChannelResult> DeleteAsync(string id, CancellationToken ct) =>
        MutateAsync(id, ChannelChange.Deleted, async channel =>
        {
            await store.DeleteAsync(id, ct);
            return null;
        }, ct);

    public Task<ChannelResult> RotateStreamKeyAsync(string id, CancellationToken ct) =>
        MutateAsync(id, ChannelChange.StreamKeyRotated, async channel =>
        {
            if (channel.StreamKeyFromConfig)
            {
                throw new ConflictException($"the stream key of '{id}' is set in configuration (Relay:Channels, StreamKey); change it there and restart");
            }
            var rotated = channel with { StreamKey = Secrets.NewKey(StreamKeyPrefix) };
            await store.SetStreamKeyAsync(id, rotated.StreamKey, ct);
            return rotated;
        }, ct);

    /// <summary>
    /// A new host key; the old one stops working at once, for REST and for hub connections that joined with it
    /// (their participant carries the old <see cref="Channel.HostKeyGeneration"/>).
    /// </summary>
    public Task<ChannelResult> RotateBackupStreamKeyAsync(string id, CancellationToken ct) =>
        MutateAsync(id, ChannelChange.BackupStreamKeyRotated, async channel =>
        {
            var rotated = channel with { BackupStreamKey = Secrets.NewKey(BackupStreamKeyPrefix) };
            await store.SetBackupStreamKeyAsync(id, rotated.BackupStreamKey, ct);
            return rotated;
        }, ct);

    public Task<ChannelResult> RotateHostKeyAsync(string id, CancellationToken ct) =>
        MutateAsync(id, ChannelChange.HostKeyRotated, async channel =>
        {
            if (channel.HostKeyFromConfig)
            {
                throw new ConflictException($"the host key of '{id}' is set in configuration (Relay:Channels, HostKey); change it there and restart");
            }
            var rotated = WithNewGeneration(channel with { HostKey = Secrets.NewKey(HostKeyPrefix) });
            await store.SetHostKeyAsync(id, rotated.HostKey, ct);
            return rotated;
        }, ct);

    /// <param name="resetStock">Start a new sold count for the listed products (observers get
    /// <see cref="ChannelChange.LineupChangedStockReset"/>); without it what is sold stays sold.</param>
    public Task<ChannelResult> SetLineupAsync(string id, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken ct) =>
        MutateAsync(id, resetStock ? ChannelChange.LineupChangedStockReset : ChannelChange.LineupChanged, async channel =>
        {
            await store.SetLineupAsync(id, lineup, ct);
            return channel with { Lineup = lineup };
        }, ct);

    /// <summary>Applies <paramref name="change"/> to the channel's destination list; it may throw <see cref="ConflictException"/> or <see cref="NotFoundException"/>.</summary>
    public Task<ChannelResult> EditDestinationsAsync(string id, Func<IReadOnlyList<EgressDestination>, IReadOnlyList<EgressDestination>> change, CancellationToken ct) =>
        MutateAsync(id, ChannelChange.DestinationsChanged, async channel =>
        {
            var next = change(channel.Destinations);
            await store.SetDestinationsAsync(id, next, ct);
            return channel with { Destinations = next };
        }, ct);

    /// <summary>
    /// <c>PATCH /api/v1/channels/{id}</c>: what is given changes, the rest stays. Observers hear what differs: the
    /// rehearsal switch (the publisher turns public or private), the next show (the room); a title is no observer's business.
    /// </summary>
    public Task<ChannelResult> UpdateSettingsAsync(string id, ChannelSettingsChange change, CancellationToken ct) =>
        MutateAsync(id, ChannelDiff.Between, async channel =>
        {
            var updated = channel with
            {
                Title = change.Title?.Trim() ?? channel.Title,
                Rehearsal = change.Rehearsal ?? channel.Rehearsal,
                NextShowAt = change.NextShowAtGiven ? change.NextShowAt : channel.NextShowAt,
            };
            await store.SetSettingsAsync(id, updated.Title, updated.Rehearsal, updated.NextShowAt, ct);
            return updated;
        }, ct);

    private Task<ChannelResult> MutateAsync(string id, ChannelChange kind, Func<ChannelDefinition, Task<ChannelDefinition?>> apply, CancellationToken ct) =>
        MutateAsync(id, (_, _) => [kind], apply, ct);

    /// <param name="kinds">What observers are told, from the channel before and after the change.</param>
    private async Task<ChannelResult> MutateAsync(string id, Func<ChannelDefinition, ChannelDefinition?, IReadOnlyList<ChannelChange>> kinds,
        Func<ChannelDefinition, Task<ChannelDefinition?>> apply, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        ChannelDefinition? updated;
        IReadOnlyList<ChannelChange> told;
        NotificationTurn turn;
        try
        {
            if (!_channels.TryGetValue(id, out var channel))
            {
                return ChannelResult.NotFound($"no channel '{id}'");
            }
            try
            {
                updated = await apply(channel);
            }
            catch (ConflictException e)
            {
                return ChannelResult.Conflict(e.Message);
            }
            catch (NotFoundException e)
            {
                return ChannelResult.NotFound(e.Message);
            }
            catch (InvalidInputException e)
            {
                return new(ChannelOutcome.Invalid, Errors: e.Errors);
            }
            told = kinds(channel, updated);
            _channels = updated is null ? _channels.Remove(id) : _channels.SetItem(id, updated);
            // Taken in store order, under the write lock: observers run outside it but see a channel's changes in
            // that order, so two quick line-up PUTs cannot leave the room on the first one (review L12).
            turn = TakeNotificationTurn(id);
        }
        finally
        {
            _writeLock.Release();
        }
        await turn.Previous;
        try
        {
            // Not the caller's token: the change is stored, so the room and the media must follow it even if the
            // client went away meanwhile.
            foreach (var kind in told)
            {
                await NotifyAsync(id, kind, updated, CancellationToken.None);
            }
        }
        finally
        {
            EndNotificationTurn(id, turn);
        }
        return new(ChannelOutcome.Ok, updated);
    }

    /// <summary>
    /// Makes the in-memory catalog follow the store for one channel that changed elsewhere (another node of a cluster)
    /// and tells the observers what differs (<see cref="ChannelDiff"/>), as a local change would. Writes nothing; a
    /// channel this process changed itself is already what the store holds, so nothing differs and nothing is told twice.
    /// </summary>
    /// <returns>
    /// Once memory follows the store: the changes, and the telling of the observers, which goes on in the channel's
    /// turn (a slow observer of one channel must not hold up what the node hears of the others).
    /// </returns>
    public async Task<(IReadOnlyList<ChannelChange> Changes, Task Told)> ReloadAsync(string id, CancellationToken ct)
    {
        StoredChange pending;
        // Under the write lock: a local write holds it from its store write to its memory update, so the store read
        // here never sees a local change that memory does not have yet.
        await _writeLock.WaitAsync(ct);
        try
        {
            pending = Follow(id, await store.FindAsync(id, ct));
        }
        finally
        {
            _writeLock.Release();
        }
        return (pending.Changes, TellAsync(pending));
    }

    /// <summary><see cref="ReloadAsync"/> for every channel, stored or in memory (after changes may have gone unheard).</summary>
    /// <returns>How many channels changed, and the telling of their observers.</returns>
    public async Task<(int Changed, Task Told)> ReloadAllAsync(CancellationToken ct)
    {
        var pending = new List<StoredChange>();
        await _writeLock.WaitAsync(ct);
        try
        {
            var stored = (await store.ListAsync(ct)).ToDictionary(c => c.Id, StringComparer.Ordinal);
            foreach (var id in _channels.Keys.Union(stored.Keys, StringComparer.Ordinal).ToList())
            {
                pending.Add(Follow(id, stored.GetValueOrDefault(id)));
            }
        }
        finally
        {
            _writeLock.Release();
        }
        return (pending.Count(p => p.Changes.Count > 0), Task.WhenAll(pending.Select(TellAsync)));
    }

    // Under the write lock: memory takes the stored state; the notification turn is taken in store order.
    private StoredChange Follow(string id, ChannelDefinition? stored)
    {
        var before = _channels.GetValueOrDefault(id);
        var changes = ChannelDiff.Between(before, stored);
        if (stored is null)
        {
            _channels = _channels.Remove(id);
        }
        else
        {
            stored = before is not null && before.HostKey == stored.HostKey && ChannelDiff.SameCreation(before.CreatedAt, stored.CreatedAt)
                ? stored with { HostKeyGeneration = before.HostKeyGeneration }
                : WithNewGeneration(stored);
            _channels = _channels.SetItem(id, stored);
        }
        return new StoredChange(id, changes, stored, changes.Count == 0 ? null : TakeNotificationTurn(id));
    }

    private async Task TellAsync(StoredChange pending)
    {
        if (pending.Turn is not { } turn)
        {
            return;
        }
        await turn.Previous;
        try
        {
            foreach (var change in pending.Changes)
            {
                await NotifyAsync(pending.Id, change, change == ChannelChange.Deleted ? null : pending.Channel, CancellationToken.None);
            }
        }
        finally
        {
            EndNotificationTurn(pending.Id, turn);
        }
    }

    private readonly record struct StoredChange(string Id, IReadOnlyList<ChannelChange> Changes, ChannelDefinition? Channel, NotificationTurn? Turn);

    private readonly record struct NotificationTurn(Task Previous, TaskCompletionSource Done);

    private NotificationTurn TakeNotificationTurn(string id)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_notificationGate)
        {
            var previous = _lastNotification.GetValueOrDefault(id) ?? Task.CompletedTask;
            _lastNotification[id] = done.Task;
            return new NotificationTurn(previous, done);
        }
    }

    private void EndNotificationTurn(string id, NotificationTurn turn)
    {
        lock (_notificationGate)
        {
            // The last one out removes the entry, so the table only holds channels with notifications running.
            if (_lastNotification.TryGetValue(id, out var last) && last == turn.Done.Task)
            {
                _lastNotification.Remove(id);
            }
        }
        turn.Done.SetResult();
    }

    private async Task NotifyAsync(string id, ChannelChange kind, ChannelDefinition? channel, CancellationToken ct)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.ChannelChangedAsync(id, kind, channel, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.ChannelObserverFailed(logger, observer.GetType().Name, kind.ToString(), id, e);
            }
        }
    }

    private string UniqueIdFor(string title)
    {
        var slug = InputRules.Slug(title);
        if (!_channels.ContainsKey(slug))
        {
            return slug;
        }
        for (var n = 2; ; n++)
        {
            var candidate = $"{slug}-{n}";
            if (!_channels.ContainsKey(candidate))
            {
                return candidate;
            }
        }
    }
}
