using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Common.Resilience;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Mirroring;

/// <summary>
/// A cluster's non-owner serving a live channel to its own viewers: the first viewer here starts one pull of the
/// owner's stream (<see cref="IChannelOrigin"/>) into a mirrored session of the local registry, so HTTP-FLV and the HLS
/// packager work as on the owner, while egress and recording (which observe published channels only) stay on the
/// owner. One pull per channel and node, whatever the number of viewers. The mirror ends when the channel ends
/// (no other node has it), when no viewer was here for <see cref="IdleTimeout"/>, or when a publisher takes the
/// channel on this node; a pull that fails or ends while the channel is still live elsewhere (the owner died and the
/// publisher reconnected to another node) is tried again with <see cref="Reconnect"/>.
/// </summary>
public sealed partial class ChannelMirrors(
    LiveChannelRegistry registry, IChannelOrigin channelOrigin, IOptions<IngestOptions> ingestOptions, TimeProvider timeProvider, ILogger<ChannelMirrors> mirrorLogger) : IAsyncDisposable
{
    private readonly LiveChannelRegistry _channels = registry;
    private readonly IChannelOrigin _origin = channelOrigin;
    private readonly IOptions<IngestOptions> _options = ingestOptions;
    private readonly TimeProvider _time = timeProvider;
    private readonly ILogger _logger = mirrorLogger;

    /// <summary>Pull retries: 0.25 s doubling to 4 s, equal jitter, a pull that ran 10 s counts as healthy.</summary>
    public static readonly BackoffPolicy Reconnect = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4), BackoffJitter.Equal)
    {
        ResetAfter = TimeSpan.FromSeconds(10),
    };

    /// <summary>A mirror without a viewer (no HTTP-FLV subscriber, no HLS request) for this long ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a viewer's request waits for the first pull to open before it is told "offline".</summary>
    public static readonly TimeSpan OpenWait = TimeSpan.FromSeconds(5);

    /// <summary>The HLS packager's subscriber kind: it is fed by the mirror, it is not a viewer keeping it.</summary>
    private const string PackagerKind = "hls";

    private readonly ConcurrentDictionary<string, Runner> _runners = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Channels with a mirror running or retrying now.</summary>
    public int Count => _runners.Count;

    /// <summary>
    /// Makes sure <paramref name="channelId"/> is live here, mirroring it from its owner when it is live on another
    /// node; counts as viewer activity. False when the channel is not live anywhere (or the owner could not be reached
    /// within <see cref="OpenWait"/>).
    /// </summary>
    public async Task<bool> TryMirrorAsync(string channelId, CancellationToken cancellationToken)
    {
        if (_channels.IsLive(channelId))
        {
            Touch(channelId);
            return true;
        }

        if (_stopping.IsCancellationRequested || _channels.IsPublished(channelId))
        {
            return false;
        }

        var runner = _runners.GetOrAdd(channelId, id => new Runner(this, id));
        runner.Touch();
        runner.EnsureStarted();
        try
        {
            await runner.FirstSession.WaitAsync(OpenWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        return _channels.IsLive(channelId);
    }

    /// <summary>A viewer's request for a mirrored channel (e.g. an HLS playlist or segment): keeps the mirror.</summary>
    public void Touch(string channelId)
    {
        if (_runners.TryGetValue(channelId, out var runner))
        {
            runner.Touch();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_runners.Values.Select(r => r.Completion)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = EventIds.MirrorStarted, Level = LogLevel.Information, Message = "Channel {ChannelId}: mirroring the owner's stream for this node's viewers")]
    private static partial void LogStarted(ILogger logger, string channelId);

    [LoggerMessage(EventId = EventIds.MirrorEnded, Level = LogLevel.Information, Message = "Channel {ChannelId}: mirror ended: {Why}")]
    private static partial void LogEnded(ILogger logger, string channelId, string why);

    [LoggerMessage(EventId = EventIds.MirrorPullFailed, Level = LogLevel.Warning, Message = "Channel {ChannelId}: pulling the owner's stream failed ({Error}); retrying in {Delay}")]
    private static partial void LogPullFailed(ILogger logger, string channelId, string error, TimeSpan delay);

    /// <summary>One channel's mirror: its pulls, one after the other, until it has no reason to go on.</summary>
    private sealed class Runner(ChannelMirrors owner, string channelId)
    {
        private readonly TaskCompletionSource _firstSession = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lastActivity = owner._time.GetTimestamp();
        private int _started;

        public Task FirstSession => _firstSession.Task;

        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Touch() => Interlocked.Exchange(ref _lastActivity, owner._time.GetTimestamp());

        public void EnsureStarted()
        {
            if (Interlocked.Exchange(ref _started, 1) == 0)
            {
                Completion = Task.Run(RunAsync);
            }
        }

        private bool Idle => owner._time.GetElapsedTime(Interlocked.Read(ref _lastActivity)) >= IdleTimeout;

        private async Task RunAsync()
        {
            var stopping = owner._stopping.Token;
            var backoff = new BackoffCounter(Reconnect, owner._time);
            try
            {
                while (!stopping.IsCancellationRequested && !owner._channels.IsPublished(channelId) && !Idle)
                {
                    Stream? stream;
                    try
                    {
                        stream = await owner._origin.OpenAsync(channelId, stopping).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
                    {
                        var delay = backoff.Next();
                        LogPullFailed(owner._logger, channelId, ex.Message, delay);
                        await backoff.WaitAsync(delay, stopping).ConfigureAwait(false);
                        continue;
                    }

                    if (stream is null)
                    {
                        // Not live on another node (ended, or this node owns it now).
                        break;
                    }

                    var started = owner._time.GetTimestamp();
                    (string Why, bool Final) end;
                    await using (stream.ConfigureAwait(false))
                    {
                        var session = owner._channels.TryBeginMirror(channelId);
                        if (session is null)
                        {
                            break;
                        }

                        LogStarted(owner._logger, channelId);
                        _firstSession.TrySetResult();
                        try
                        {
                            end = await PumpAsync(stream, session, stopping).ConfigureAwait(false);
                        }
                        finally
                        {
                            owner._channels.EndPublish(session);
                        }
                    }

                    LogEnded(owner._logger, channelId, end.Why);
                    if (end.Final)
                    {
                        break;
                    }

                    await backoff.WaitAsync(backoff.Next(owner._time.GetElapsedTime(started)), stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            finally
            {
                owner._runners.TryRemove(new KeyValuePair<string, Runner>(channelId, this));
                _firstSession.TrySetResult();
            }
        }

        /// <summary>Owner's tags into the mirror's hub; returns why it stopped and whether the mirror is done.</summary>
        private async Task<(string Why, bool Final)> PumpAsync(Stream stream, PublisherSession session, CancellationToken stopping)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, session.StopRequested);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
            var lastCheck = owner._time.GetTimestamp();
            try
            {
                await foreach (var tag in FlvTagReader.ReadTagsAsync(reader, owner._options.Value.MaxTagSize, cancel.Token).ConfigureAwait(false))
                {
                    session.Hub.Publish(tag);
                    if (owner._time.GetElapsedTime(lastCheck) < TimeSpan.FromSeconds(1))
                    {
                        continue;
                    }

                    lastCheck = owner._time.GetTimestamp();
                    if (session.Hub.SubscriberCount - session.Hub.SubscribersOfKind(PackagerKind) > 0)
                    {
                        Touch();
                    }
                    else if (Idle)
                    {
                        return ("no viewer left", true);
                    }
                }

                return ("the owner's stream ended", false);
            }
            catch (OperationCanceledException) when (session.StopRequested.IsCancellationRequested)
            {
                return ("a publisher took the channel on this node", true);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return ("shutdown", true);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Net.Http.HttpRequestException)
            {
                return ($"the owner's stream failed: {ex.Message}", false);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }
}
