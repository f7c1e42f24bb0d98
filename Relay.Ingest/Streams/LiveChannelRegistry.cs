using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Streams;

/// <summary>The live channels of this node: one <see cref="StreamHub"/> per channel with a publisher.</summary>
/// <remarks>
/// A published session is public or private (a rehearsal: the channel's switch, <see cref="IChannelRehearsal"/>, or a
/// test publish). Only a public one is live to the rest of the node: the observers (egress, recording, HLS, the live
/// room) hear "live" when it turns public and "offline" when it turns private or ends, and the public getters
/// (<see cref="IsLive"/>, <see cref="TryGetHub"/>, <see cref="TryGetPublishedHub"/>) do not see a private one. The
/// host's preview (<see cref="TryGetPreviewHub"/>) sees both. Switching the rehearsal off while publishing makes the
/// session public at once; switching it on ends every subscription but the previews.
/// </remarks>
public sealed partial class LiveChannelRegistry
{
    private readonly ConcurrentDictionary<string, PublisherSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<ILiveChannelObserver> _observers = [];
    private readonly Lock _observersLock = new();
    private readonly Lazy<IReadOnlyList<ILiveChannelObserver>> _registeredObservers;
    private readonly IOptions<IngestOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveChannelRegistry> _logger;
    private readonly IChannelRehearsal? _rehearsal;
    private readonly ISlateSource? _slates;

    /// <summary>The subscriber kind of a host's preview: the one kind a rehearsal keeps.</summary>
    public const string PreviewSubscriberKind = "preview";

    /// <param name="registeredObservers">
    /// The observers registered in DI, read once, when a channel first changes. Lazy because most of them need this
    /// registry themselves (the HLS packager and the recorder read hubs, egress reads them through its sources): a real
    /// constructor cycle, which <c>AddRelayIngest</c> breaks by handing over a <see cref="Lazy{T}"/>.
    /// </param>
    /// <param name="rehearsal">Which channels rehearse; none when null (an ingest without a catalog).</param>
    /// <param name="slates">Where slates come from; none when null (a drop holds the channel without a picture).</param>
    public LiveChannelRegistry(Lazy<IReadOnlyList<ILiveChannelObserver>> registeredObservers, IOptions<IngestOptions> options, TimeProvider time, ILogger<LiveChannelRegistry> logger,
        IChannelRehearsal? rehearsal = null, ISlateSource? slates = null)
    {
        _rehearsal = rehearsal;
        _slates = slates;
        _registeredObservers = registeredObservers;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Ids of the channels that are live now.</summary>
    internal IReadOnlyCollection<string> LiveChannelIds => [.. _sessions.Keys];

    /// <summary>Live here: published and public, or mirrored from the node that owns it.</summary>
    public bool IsLive(string channelId) => _sessions.TryGetValue(channelId, out var session) && IsPublic(session);

    /// <summary>Published here as a rehearsal (previewed only).</summary>
    public bool IsRehearsing(string channelId) => _sessions.TryGetValue(channelId, out var session) && !IsPublic(session);

    private static bool IsPublic(PublisherSession session) => session.Mirrored || session.Public;

    /// <summary>Published on this node (its publisher is connected here), public or rehearsing.</summary>
    public bool IsPublished(string channelId) => _sessions.TryGetValue(channelId, out var session) && !session.Mirrored;

    /// <summary>Mirrored here from the node that owns it.</summary>
    public bool IsMirrored(string channelId) => _sessions.TryGetValue(channelId, out var session) && session.Mirrored;

    /// <summary>
    /// The hub of a channel published on this node and public (a mirror's hub is not given: egress runs on the owner
    /// only; a rehearsal's is not given: nothing leaves the node).
    /// </summary>
    public bool TryGetPublishedHub(string channelId, [MaybeNullWhen(false)] out StreamHub hub)
    {
        if (_sessions.TryGetValue(channelId, out var session) && !session.Mirrored && session.Public)
        {
            hub = session.Hub;
            return true;
        }

        hub = null;
        return false;
    }

    /// <summary>The fan-out hub of a live channel (public: a rehearsal's hub is only given to <see cref="TryGetPreviewHub"/>).</summary>
    public bool TryGetHub(string channelId, [MaybeNullWhen(false)] out StreamHub hub)
    {
        if (_sessions.TryGetValue(channelId, out var session) && IsPublic(session))
        {
            hub = session.Hub;
            return true;
        }

        hub = null;
        return false;
    }

    /// <summary>The hub of a channel live or rehearsing here, for its host's preview (subscribe as <see cref="PreviewSubscriberKind"/>).</summary>
    public bool TryGetPreviewHub(string channelId, [MaybeNullWhen(false)] out StreamHub hub)
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
        _sessions.TryGetValue(channelId, out var session)
            ? session.Hub.GetStatus() with { Rehearsal = !IsPublic(session), OnAir = session.Switch?.OnAir, BackupStandby = session.Switch?.BackupStandby == true }
            : null;

    /// <summary>
    /// The channel's rehearsal switch changed (<see cref="IChannelRehearsal"/>): its publisher, if it has one here, turns
    /// public (destinations, recording, HLS and the room follow at once) or private (they stop; previews stay).
    /// </summary>
    public void RehearsalChanged(string channelId)
    {
        if (_sessions.TryGetValue(channelId, out var session) && !session.Mirrored)
        {
            Turn(session);
        }
    }

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
            await Stop(session).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts disconnecting the channel's publisher without waiting; false when it is not live.</summary>
    internal bool Disconnect(string channelId)
    {
        if (_sessions.TryGetValue(channelId, out var session))
        {
            _ = Stop(session);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Disconnects only the channel's publisher of <paramref name="input"/> (its key was rotated); the channel goes on
    /// with the other input or the slate. False when no such publisher is connected.
    /// </summary>
    public bool DisconnectInput(string channelId, IngestInput input)
    {
        if (_sessions.TryGetValue(channelId, out var session) && session.Switch?.Find(input) is { } connected)
        {
            connected.Cut();
            return true;
        }

        return false;
    }

    /// <summary>Ends every channel held on the slate with no publisher connected (shutdown: nobody can come back).</summary>
    internal void EndHeldChannels()
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Switch is { InputCount: 0 })
            {
                EndSession(session, IngestEndReason.Refused);
            }
        }
    }

    /// <summary>Disconnects every publisher of the session and ends it; completes when it has ended.</summary>
    internal Task Stop(PublisherSession session)
    {
        var stopped = session.StopAsync();
        if (session.Switch is { InputCount: 0 })
        {
            // Held on the slate: no publisher connection is there to end it.
            EndSession(session, IngestEndReason.Refused);
        }

        return stopped;
    }

    /// <summary>
    /// A publisher of a channel already published here: joins it as <paramref name="input"/> (a returning or
    /// reconnecting encoder, or the backup). Null when the channel is not published here, is a mirror, or already has a
    /// sending publisher of that role.
    /// </summary>
    internal ChannelInput? TryJoin(string channelId, IngestInput input, bool testPublish = false)
    {
        if (testPublish || !_sessions.TryGetValue(channelId, out var session) || session.Switch is null || session.TestPublish)
        {
            return null;
        }

        lock (session.Gate)
        {
            if (session.Over)
            {
                return null;
            }
        }

        return session.Switch.TryAttach(session, input);
    }

    /// <summary>The first publisher of a session begun by <see cref="TryBeginPublish"/>.</summary>
    internal static ChannelInput Attach(PublisherSession session, IngestInput input) =>
        session.Switch!.TryAttach(session, input) ?? throw new InvalidOperationException("a new session takes its first input");

    /// <summary>
    /// A publisher's connection ended. The channel ends with it (a clean unpublish, the server's stop, no slate) or is
    /// held: the slate goes on air until an input takes over or the slate time runs out. True when the channel ended.
    /// </summary>
    internal bool EndInput(ChannelInput input, string reason)
    {
        var session = input.Session;
        if (session.Switch!.Detach(input, reason) is not { } end)
        {
            return false;
        }

        EndSession(session, end);
        return true;
    }

    /// <summary>The slate's time ran out: ends the session as dropped unless a publisher took over at the last moment.</summary>
    private void EndHeldSession(PublisherSession session)
    {
        if (session.Switch?.CloseIfHeld() is not { } remaining)
        {
            return;
        }

        EndPublish(session, IngestEndReason.Dropped);
        foreach (var input in remaining)
        {
            input.Cut();
        }
    }

    /// <summary>Ends a published session and cuts the publishers still connected to it.</summary>
    private void EndSession(PublisherSession session, string reason)
    {
        var remaining = session.Switch?.Close() ?? [];
        EndPublish(session, reason);
        foreach (var input in remaining)
        {
            input.Cut();
        }
    }

    /// <summary>Claims the channel for a publisher; null when it already has one (or a mirror).</summary>
    /// <param name="testPublish">A test key (<c>?bandwidthtest</c>): a rehearsal whatever the channel's switch says.</param>
    internal PublisherSession? TryBeginPublish(string channelId, bool testPublish = false) => TryBegin(channelId, mirrored: false, testPublish);

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

    private PublisherSession? TryBegin(string channelId, bool mirrored, bool testPublish = false)
    {
        var options = _options.Value;
        var hub = new StreamHub(channelId, _time.GetUtcNow(), new SubscriberLimits(options.SubscriberQueueSize, options.SubscriberQueueBytes));
        var session = new PublisherSession(hub, mirrored, testPublish);
        if (!_sessions.TryAdd(channelId, session))
        {
            return null;
        }

        if (mirrored)
        {
            Notify(channelId, live: true, mirrored);
            return session;
        }

        foreach (var reason in IngestEndReason.All)
        {
            // Exported at 0 from the start: an alert's increase() cannot see a counter's first sample as an increase.
            _ = IngestMetrics.End.WithLabels(channelId, reason);
        }

        foreach (var to in OnAirSource.All)
        {
            _ = IngestMetrics.Failovers.WithLabels(channelId, to);
        }

        IngestMetrics.SlateActive.WithLabels(channelId).Set(0);
        session.Switch = new ChannelSwitch(session.Hub, _slates, options.SlateTime, () => session.Public,
            () => EndHeldSession(session), _time, _logger);

        // The rehearsal switch is read after the session is in the table: a switch flipped meanwhile calls
        // RehearsalChanged, which finds the session and turns it again, so the two always end agreeing.
        Turn(session);
        if (!session.Public)
        {
            IngestMetrics.Rehearsals.WithLabels(channelId).Inc();
            LogRehearsal(_logger, channelId, testPublish ? "a test key" : "the channel's rehearsal switch");
        }

        return session;
    }

    /// <summary>Makes the session public or private as its channel's switch and its key say; no-op when it already is, or has ended.</summary>
    private void Turn(PublisherSession session)
    {
        var channelId = session.Hub.ChannelId;
        lock (session.Gate)
        {
            var makePublic = !session.TestPublish && _rehearsal?.IsRehearsal(channelId) != true;
            if (session.Over || session.Public == makePublic)
            {
                IngestMetrics.Live.WithLabels(channelId).Set(session.Public ? 1 : 0);
                return;
            }

            session.Public = makePublic;
            IngestMetrics.Live.WithLabels(channelId).Set(makePublic ? 1 : 0);
            if (!makePublic)
            {
                // Public viewers, the recorder, the packager and the pushes stop reading; the host keeps the preview.
                session.Hub.EndSubscriptionsExcept(PreviewSubscriberKind);
            }

            Notify(channelId, live: makePublic, mirrored: false);
        }
    }

    /// <summary>The publisher's connection has ended: completes the hub, counts why and tells observers.</summary>
    /// <param name="reason">An <see cref="IngestEndReason"/>: counted as <see cref="IngestEndReason.Rehearsal"/> when the
    /// session was private at its end; null (a mirror) counts nothing.</param>
    internal void EndPublish(PublisherSession session, string? reason = null)
    {
        var channelId = session.Hub.ChannelId;
        bool wasPublic;
        lock (session.Gate)
        {
            wasPublic = IsPublic(session);
            session.Over = true;
            session.Public = false;
        }

        session.Switch?.Close();
        session.Hub.Complete();
        if (_sessions.TryRemove(new KeyValuePair<string, PublisherSession>(channelId, session)))
        {
            if (!session.Mirrored)
            {
                IngestMetrics.Live.WithLabels(channelId).Set(0);
                IngestMetrics.BitrateBitsPerSecond.RemoveLabelled(channelId);
                IngestMetrics.FramesPerSecond.RemoveLabelled(channelId);
                IngestMetrics.KeyframeIntervalSeconds.RemoveLabelled(channelId);
                if (reason is not null)
                {
                    IngestMetrics.End.WithLabels(channelId, wasPublic ? reason : IngestEndReason.Rehearsal).Inc();
                }
            }

            if (wasPublic)
            {
                Notify(channelId, live: false, session.Mirrored);
            }
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

    [LoggerMessage(EventId = EventIds.RehearsalStarted, Level = LogLevel.Information, Message = "Channel {ChannelId} rehearses ({Why}): previewed only, nothing pushed, recorded or public")]
    private static partial void LogRehearsal(ILogger logger, string channelId, string why);

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
