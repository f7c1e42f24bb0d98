using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Egress.Diagnostics;
using Relay.Ingest.Egress.Platforms;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Egress.Supervision;

namespace Relay.Ingest.Egress;

/// <summary>
/// The server's seam to egress. Desired state in, per-destination supervisors out: <see cref="ApplyAsync"/> diffs
/// the list against what runs and starts, stops or restarts only the destinations that changed, so an edit to one
/// never blips another. Calls for one channel are serialized; channels are independent.
/// </summary>
public sealed class EgressManager(
    IEgressSourceResolver sources, IEgressPusherFactory pushers, IOptionsMonitor<EgressOptions> options,
    TimeProvider time, ILoggerFactory loggers, TranscodeBudget? transcodes = null) : IAsyncDisposable
{
    private readonly TranscodeBudget _transcodes = transcodes ?? new TranscodeBudget();
    private readonly ConcurrentDictionary<string, ChannelEgress> _channels = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<EgressManager>();

    /// <summary>
    /// Makes the channel's egress match <paramref name="destinations"/>. Call it when the channel goes live and
    /// whenever its destinations change; while the channel is offline it only records them (state idle).
    /// </summary>
    public async Task ApplyAsync(string channelId, IReadOnlyList<EgressDestination> destinations, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        ArgumentNullException.ThrowIfNull(destinations);
        var duplicate = destinations.GroupBy(d => d.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"destination id '{duplicate.Key}' appears twice", nameof(destinations));
        }

        var channel = _channels.GetOrAdd(channelId, _ => new ChannelEgress());
        await channel.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var source = sources.Find(channelId);
            var sourceChanged = !ReferenceEquals(source, channel.Source);
            channel.Source = source;
            var wanted = destinations.ToDictionary(d => d.Id, StringComparer.Ordinal);
            var stops = new List<Task>();
            foreach (var (id, entry) in channel.Entries.ToArray())
            {
                if (!wanted.ContainsKey(id))
                {
                    channel.Remove(id);
                    stops.Add(RemoveAsync(channelId, entry));
                }
            }

            foreach (var destination in destinations)
            {
                if (channel.Entries.TryGetValue(destination.Id, out var existing))
                {
                    // A destination parked for want of a transcode slot is tried again at every apply: one may be free now.
                    if (existing.Destination == destination && !sourceChanged && existing.ParkedError is null)
                    {
                        continue;
                    }

                    if (existing.Destination.Platform != destination.Platform)
                    {
                        EgressMetrics.Remove([channelId, destination.Id, PlatformPreset.LabelFor(existing.Destination.Platform)]);
                    }

                    var stop = existing.StopAsync(EgressState.Idle);
                    stops.Add(destination.Enabled ? stop : ForgetUpWhenStoppedAsync(stop, [channelId, destination.Id, PlatformPreset.LabelFor(destination.Platform)]));
                }

                channel.Set(destination.Id, Start(channelId, destination, source));
            }

            await Task.WhenAll(stops).ConfigureAwait(false);
        }
        finally
        {
            channel.Lock.Release();
        }
    }

    /// <summary>The channel ended: every push stops cleanly (FCUnpublish, deleteStream); destinations read idle.</summary>
    public async Task StopChannelAsync(string channelId)
    {
        if (!_channels.TryGetValue(channelId, out var channel))
        {
            return;
        }

        await channel.Lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            channel.Source = null;
            var stops = new List<Task>();
            foreach (var (id, entry) in channel.Entries.ToArray())
            {
                stops.Add(entry.StopAsync(EgressState.Idle));
                channel.Set(id, DestinationEntry.Parked(entry.Destination, entry.Destination.Enabled ? EgressState.Idle : EgressState.Disabled));
            }

            await Task.WhenAll(stops).ConfigureAwait(false);
        }
        finally
        {
            channel.Lock.Release();
        }
    }

    /// <summary>
    /// Re-applies the channel's last desired destinations, e.g. when the channel goes live: the server may call
    /// <see cref="ApplyAsync"/> while the channel is offline and rely on this to start the pushes.
    /// </summary>
    public async Task ResumeChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        if (_channels.TryGetValue(channelId, out var channel))
        {
            var desired = channel.Snapshot().Select(e => e.Destination).ToList();
            await ApplyAsync(channelId, desired, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a deleted channel (its pushes stop first).</summary>
    public async Task RemoveChannelAsync(string channelId)
    {
        await ApplyAsync(channelId, [], CancellationToken.None).ConfigureAwait(false);
        _channels.TryRemove(channelId, out _);
    }

    public EgressDestinationStatus GetStatus(string channelId, string destinationId) =>
        _channels.TryGetValue(channelId, out var channel) && channel.TryGet(destinationId, out var entry)
            ? entry.Status
            : EgressDestinationStatus.Unknown(destinationId);

    public IReadOnlyList<EgressDestinationStatus> GetStatuses(string channelId) =>
        _channels.TryGetValue(channelId, out var channel) ? channel.Snapshot().Select(e => e.Status).ToList() : [];

    private DestinationEntry Start(string channelId, EgressDestination destination, IEgressSource? source)
    {
        if (!destination.Enabled)
        {
            return DestinationEntry.Parked(destination, EgressState.Disabled);
        }

        if (source is null)
        {
            return DestinationEntry.Parked(destination, EgressState.Idle);
        }

        IDisposable? slot = null;
        if (destination.Profile is { Transcodes: true })
        {
            // Each re-encode is a libx264 process: past the budget the destination is failed with the reason, not
            // started, so one host key cannot starve the ingest, the other channels and the hub of CPU.
            slot = _transcodes.TryAcquire(channelId, destination.Id, options.CurrentValue, out var refusal);
            if (slot is null)
            {
                EgressMetrics.TranscodesRefused.Inc();
                EgressLog.Failed(_logger, channelId, destination.Id, 0, refusal!);
                return new DestinationEntry(destination, null, EgressState.Failed) { ParkedError = refusal };
            }
        }

        var supervisor = new DestinationSupervisor(channelId, destination, source, pushers, options.CurrentValue, time,
            loggers.CreateLogger<DestinationSupervisor>(), Random.Shared);
        supervisor.Start();
        return new DestinationEntry(destination, supervisor, EgressState.Idle) { TranscodeSlot = slot };
    }

    /// <summary>
    /// A disabled destination is not "down": dropping its up series keeps the destination-down alert
    /// for destinations that should be pushing. Its counters stay, so rates do not reset.
    /// </summary>
    private static async Task ForgetUpWhenStoppedAsync(Task stop, string[] labels)
    {
        await stop.ConfigureAwait(false);
        EgressMetrics.Up.RemoveLabelled(labels);
    }

    private static async Task RemoveAsync(string channelId, DestinationEntry entry)
    {
        await entry.StopAsync(EgressState.Idle).ConfigureAwait(false);
        EgressMetrics.Remove([channelId, entry.Destination.Id, PlatformPreset.LabelFor(entry.Destination.Platform)]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channelId in _channels.Keys.ToArray())
        {
            try
            {
                await StopChannelAsync(channelId).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Stopping egress of channel {Channel} failed", channelId);
            }
        }
    }

    private sealed class ChannelEgress
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public Dictionary<string, DestinationEntry> Entries { get; } = new(StringComparer.Ordinal);

        public IEgressSource? Source { get; set; }

        // Readers (status API) do not take the async lock; a plain lock around the dictionary is enough for them.
        public bool TryGet(string id, out DestinationEntry entry)
        {
            lock (Entries) return Entries.TryGetValue(id, out entry!);
        }

        public void Set(string id, DestinationEntry entry)
        {
            lock (Entries) Entries[id] = entry;
        }

        public void Remove(string id)
        {
            lock (Entries) Entries.Remove(id);
        }

        public List<DestinationEntry> Snapshot()
        {
            lock (Entries) return Entries.Values.ToList();
        }
    }

    private sealed record DestinationEntry(EgressDestination Destination, DestinationSupervisor? Supervisor, EgressState ParkedState)
    {
        /// <summary>Why a parked destination is not pushing (its <c>lastError</c>), e.g. the transcode budget.</summary>
        public string? ParkedError { get; init; }

        /// <summary>The transcode budget slot a re-encoding destination holds while it runs.</summary>
        public IDisposable? TranscodeSlot { get; init; }

        public static DestinationEntry Parked(EgressDestination destination, EgressState state) => new(destination, null, state);

        public EgressDestinationStatus Status => Supervisor?.Status ?? new EgressDestinationStatus(Destination.Id, ParkedState, 0, ParkedError, 0, 0, []);

        public Task StopAsync(EgressState finalState)
        {
            // Freed when the stop starts, not when ffmpeg is gone: the same apply may start another destination in its place.
            TranscodeSlot?.Dispose();
            return Supervisor?.StopAsync(finalState) ?? Task.CompletedTask;
        }
    }
}
