using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Streams;

/// <summary>The live channels of this node: one <see cref="StreamHub"/> per channel with a publisher.</summary>
public sealed partial class LiveChannelRegistry
{
    private readonly ConcurrentDictionary<string, PublisherSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<ILiveChannelObserver> _observers = [];
    private readonly Lock _observersLock = new();
    private readonly Lazy<IReadOnlyList<ILiveChannelObserver>> _registeredObservers;
    private readonly IOptions<IngestOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveChannelRegistry> _logger;

    /// <param name="registeredObservers">
    /// The observers registered in DI, read once, when a channel first changes. Lazy because most of them need this
    /// registry themselves (the HLS packager and the recorder read hubs, egress reads them through its sources): a real
    /// constructor cycle, which <c>AddRelayIngest</c> breaks by handing over a <see cref="Lazy{T}"/>.
    /// </param>
    public LiveChannelRegistry(Lazy<IReadOnlyList<ILiveChannelObserver>> registeredObservers, IOptions<IngestOptions> options, TimeProvider time, ILogger<LiveChannelRegistry> logger)
    {
        _registeredObservers = registeredObservers;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Ids of the channels that are live now.</summary>
    internal IReadOnlyCollection<string> LiveChannelIds => [.. _sessions.Keys];

    /// <summary>Live here: published, or mirrored from the node that owns it.</summary>
    public bool IsLive(string channelId) => _sessions.ContainsKey(channelId);

    /// <summary>Published on this node (its publisher is connected here).</summary>
    public bool IsPublished(string channelId) => _sessions.TryGetValue(channelId, out var session) && !session.Mirrored;

    /// <summary>Mirrored here from the node that owns it.</summary>
    public bool IsMirrored(string channelId) => _sessions.TryGetValue(channelId, out var session) && session.Mirrored;

    /// <summary>The hub of a channel published on this node (a mirror's hub is not given: egress runs on the owner only).</summary>
    public bool TryGetPublishedHub(string channelId, [MaybeNullWhen(false)] out StreamHub hub)
    {
        if (_sessions.TryGetValue(channelId, out var session) && !session.Mirrored)
        {
            hub = session.Hub;
            return true;
        }

        hub = null;
        return false;
    }

    /// <summary>The fan-out hub of a live channel.</summary>
    public bool TryGetHub(string channelId, [MaybeNullWhen(false)] out StreamHub hub)
    {
        if (_sessions.TryGetValue(channelId, out var session))
        {
            hub = session.Hub;
            return true;
        }

        hub = null;
        return false;
    }

    /// <summary>Ingest statistics of a live channel; null when it is offline.</summary>
    public IngestStatus? GetStatus(string channelId) =>
        _sessions.TryGetValue(channelId, out var session) ? session.Hub.GetStatus() : null;

    /// <summary>Adds an observer at run time; dispose the result to remove it.</summary>
    internal IDisposable AddObserver(ILiveChannelObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_observersLock)
        {
            _observers.Add(observer);
        }

        return new ObserverRegistration(this, observer);
    }

    /// <summary>
    /// Disconnects the channel's publisher (channel deleted, key rotated) and waits until it is offline.
    /// Returns at once when the channel is not live.
    /// </summary>
    public async Task StopAsync(string channelId, CancellationToken cancellationToken = default)
    {
        if (_sessions.TryGetValue(channelId, out var session))
        {
            await session.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts disconnecting the channel's publisher without waiting; false when it is not live.</summary>
    internal bool Disconnect(string channelId)
    {
        if (_sessions.TryGetValue(channelId, out var session))
        {
            _ = session.StopAsync();
            return true;
        }

        return false;
    }

    /// <summary>Claims the channel for a publisher; null when it already has one (or a mirror).</summary>
    internal PublisherSession? TryBeginPublish(string channelId) => TryBegin(channelId, mirrored: false);

    /// <summary>Opens a mirror of another node's channel; null when the channel is live here already.</summary>
    internal PublisherSession? TryBeginMirror(string channelId) => TryBegin(channelId, mirrored: true);

    /// <summary>Ends the channel's mirror, if it has one, and waits until it is gone (a publisher takes over).</summary>
    internal async Task StopMirrorAsync(string channelId)
    {
        if (_sessions.TryGetValue(channelId, out var session) && session.Mirrored)
        {
            await session.StopAsync().ConfigureAwait(false);
        }
    }

    private PublisherSession? TryBegin(string channelId, bool mirrored)
    {
        var options = _options.Value;
        var hub = new StreamHub(channelId, _time.GetUtcNow(), new SubscriberLimits(options.SubscriberQueueSize, options.SubscriberQueueBytes));
        var session = new PublisherSession(hub, mirrored);
        if (!_sessions.TryAdd(channelId, session))
        {
            return null;
        }

        if (!mirrored)
        {
            IngestMetrics.Live.WithLabels(channelId).Set(1);
        }

        Notify(channelId, live: true, mirrored);
        return session;
    }

    /// <summary>The publisher's connection has ended: completes the hub and tells observers.</summary>
    internal void EndPublish(PublisherSession session)
    {
        var channelId = session.Hub.ChannelId;
        session.Hub.Complete();
        if (_sessions.TryRemove(new KeyValuePair<string, PublisherSession>(channelId, session)))
        {
            if (!session.Mirrored)
            {
                IngestMetrics.Live.WithLabels(channelId).Set(0);
                IngestMetrics.BitrateBitsPerSecond.RemoveLabelled(channelId);
                IngestMetrics.FramesPerSecond.RemoveLabelled(channelId);
                IngestMetrics.KeyframeIntervalSeconds.RemoveLabelled(channelId);
            }

            Notify(channelId, live: false, session.Mirrored);
        }

        session.MarkEnded();
    }

    private void Notify(string channelId, bool live, bool mirrored)
    {
        ILiveChannelObserver[] runtime;
        lock (_observersLock)
        {
            runtime = [.. _observers];
        }

        foreach (var observer in _registeredObservers.Value.Concat(runtime))
        {
            if (mirrored && observer is not IMirroredChannelObserver)
            {
                continue;
            }

            try
            {
                if (live)
                {
                    observer.ChannelLive(channelId);
                }
                else
                {
                    observer.ChannelOffline(channelId);
                }
            }
            catch (Exception ex)
            {
                // One broken observer must not keep the others from hearing about the channel, nor break the ingest.
                LogObserverFailed(_logger, ex, observer.GetType().Name, channelId);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.ObserverFailed, Level = LogLevel.Error, Message = "Live channel observer {Observer} failed for channel {ChannelId}")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string observer, string channelId);

    private sealed class ObserverRegistration(LiveChannelRegistry registry, ILiveChannelObserver observer) : IDisposable
    {
        public void Dispose()
        {
            lock (registry._observersLock)
            {
                registry._observers.Remove(observer);
            }
        }
    }
}
