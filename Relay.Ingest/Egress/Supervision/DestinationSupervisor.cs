using Microsoft.Extensions.Logging;
using Relay.Common.Resilience;
using Relay.Ingest.Egress.Diagnostics;
using Relay.Ingest.Egress.Platforms;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress.Supervision;

/// <summary>
/// Keeps one destination pushing while its channel is live: each attempt takes a fresh subscription (so it starts
/// from sequence headers + the cached GOP), failures back off with full jitter on the <see cref="TimeProvider"/>,
/// a healthy period resets the count, and too many failures in a row park it in <c>failed</c>. It owns nothing
/// shared: stopping or failing it touches no other destination and never the ingest. While a push runs it samples the
/// push's <see cref="PushCounters"/> on its own timer (<see cref="SampleInterval"/>) for bitrate, profile, platform
/// checks, queue time and drops: none of that runs on the thread that writes the media.
/// </summary>
internal sealed class DestinationSupervisor : IAsyncDisposable
{
    /// <summary>How often a live push is sampled; the bitrate is measured over two samples.</summary>
    internal static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a destination that must check the codec first waits for the publisher's sequence header.</summary>
    private static readonly TimeSpan CodecWait = TimeSpan.FromSeconds(3);

    private readonly string _channelId;
    private readonly EgressDestination _destination;
    private readonly IEgressSource _source;
    private readonly IEgressPusher? _pusher;
    private readonly string? _invalidReason;
    private readonly EgressOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly string[] _labels;
    private readonly PlatformPreset _preset;
    private readonly CancellationTokenSource _stop = new();
    private readonly DestinationSampler _sampler;
    private readonly object _gate = new();
    private Task? _loop;
    private IEgressFeed? _feed;
    private long _droppedBefore;
    private long _droppedReported;
    private EgressState _state = EgressState.Connecting;
    private string? _lastError;
    private int _reconnects;
    private long? _liveSince;

    public DestinationSupervisor(
        string channelId, EgressDestination destination, IEgressSource source, IEgressPusherFactory factory,
        EgressOptions options, TimeProvider time, ILogger logger, Random random)
    {
        _channelId = channelId;
        _destination = destination;
        _source = source;
        _options = options;
        _time = time;
        _logger = logger;
        _random = random;
        _preset = PlatformPreset.For(destination.Platform);
        _labels = [channelId, destination.Id, _preset.Id];
        // A transcoding destination is checked against its profile's keyframe interval and bitrate.
        _sampler = new DestinationSampler(_preset, destination.UsesFfmpeg ? destination.Profile : null, time);
        (_pusher, _invalidReason) = factory.Create(destination, options);
    }

    public EgressDestination Destination => _destination;

    private string? PublishName() =>
        Rtmp.RtmpPushTarget.TryParse(_destination.Url, _destination.StreamKey, out var target, out _) ? target!.PublishName : _destination.StreamKey;

    public EgressDestinationStatus Status
    {
        get
        {
            lock (_gate)
            {
                var dropped = _droppedBefore + (_feed?.DroppedFrames ?? 0);
                var warnings = _sampler.Warnings;
                if (_preset.RequiresTls && !_destination.Url.StartsWith("rtmps:", StringComparison.OrdinalIgnoreCase))
                {
                    warnings = [.. warnings, $"{_preset.DisplayName} accepts only rtmps:// ingest"];
                }

                var live = _state == EgressState.Live;
                return new EgressDestinationStatus(_destination.Id, _state, _reconnects, _lastError,
                    live ? Math.Round(_sampler.BitrateKbps, 1) : 0, dropped, warnings,
                    live && _liveSince is long since ? Math.Round(_time.GetElapsedTime(since).TotalSeconds) : null);
            }
        }
    }

    public void Start()
    {
        EgressMetrics.Up.WithLabels(_labels).Set(0);
        _loop = Task.Run(() => SuperviseAsync(_stop.Token));
    }

    /// <summary>Outer loop: an unexpected exception in an attempt is logged and the attempt loop restarts after a pause.</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunAttemptsAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                EgressLog.LoopCrashed(_logger, ex, _channelId, _destination.Id);
                SetState(EgressState.Retrying, "internal error: " + ex.GetType().Name);
                try
                {
                    await Task.Delay(_options.BackoffCap, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunAttemptsAsync(CancellationToken cancellationToken)
    {
        if (_pusher is null)
        {
            SetState(EgressState.Failed, _invalidReason);
            EgressLog.Failed(_logger, _channelId, _destination.Id, 0, _invalidReason ?? "invalid destination");
            return;
        }

        if (await CodecProblemAsync(cancellationToken).ConfigureAwait(false) is { } codecProblem)
        {
            // Never push what the platform (or the transcode's ffmpeg) drops: say why instead, once, and stay failed
            // until the destination is edited or the publisher comes back (a new session starts a new supervisor).
            SetState(EgressState.Failed, codecProblem);
            EgressLog.Failed(_logger, _channelId, _destination.Id, 0, codecProblem);
            return;
        }

        var backoff = new BackoffCounter(_options.Backoff, _time, _random);
        while (!cancellationToken.IsCancellationRequested)
        {
            SetState(EgressState.Connecting, _lastError);
            // A plain single-track stream of the destination's video track (E-RTMP v2 multitrack), audio track 0.
            var feed = new TrackSelectingFeed(_source.Subscribe($"egress:{_destination.Id}", _options.QueueCapacity), _destination.TrackId ?? 0);
            if (feed.Frames.Completion.IsCompleted)
            {
                // The channel ended while we were backing off: do not open a publish for nothing.
                feed.Dispose();
                SetState(EgressState.Idle, _lastError);
                EgressLog.Stopped(_logger, _channelId, _destination.Id, "channel ended");
                return;
            }

            lock (_gate)
            {
                _feed = feed;
                _liveSince = null;
            }

            EgressOutcome outcome;
            var counters = new PushCounters(EgressMetrics.Bytes.WithLabels(_labels));
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampler = SampleAsync(counters, feed, sampling.Token);
            try
            {
                outcome = await _pusher.RunAsync(feed, counters, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await sampling.CancelAsync().ConfigureAwait(false);
                await sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                bool wentLiveUnseen;
                lock (_gate) wentLiveUnseen = _liveSince is null && counters.Live.IsCompleted;
                if (wentLiveUnseen)
                {
                    OnLive(counters); // live and over before the sampler ran: report it in order, as it happened
                }

                ReportDrops(feed);
                lock (_gate)
                {
                    _droppedBefore += feed.DroppedFrames;
                    _feed = null;
                }

                feed.Dispose();
                EgressMetrics.Up.WithLabels(_labels).Set(0);
                EgressMetrics.QueueSeconds.WithLabels(_labels).Set(0);
            }

            // Errors quote servers and ffmpeg; the pushers clean what they quote, and this pass makes sure no control
            // character, overlong text or copy of the key reaches lastError and the logs whichever pusher ran.
            outcome = outcome with { Error = ServerText.Clean(outcome.Error, PublishName(), maxLength: 2 * ServerText.MaxLength) };

            if (outcome.Stage == EgressStage.SourceEnded)
            {
                SetState(EgressState.Idle, _lastError);
                EgressLog.Stopped(_logger, _channelId, _destination.Id, "channel ended");
                return;
            }

            if (!outcome.IsFailure || cancellationToken.IsCancellationRequested)
            {
                return;
            }

            long? liveSince;
            lock (_gate) liveSince = _liveSince;
            var failuresInRow = backoff.Fail(liveSince is long since ? _time.GetElapsedTime(since) : TimeSpan.Zero);
            if (failuresInRow >= _options.FailuresBeforeFailed || outcome.Stage == EgressStage.InvalidTarget)
            {
                SetState(EgressState.Failed, outcome.Error);
                EgressLog.Failed(_logger, _channelId, _destination.Id, failuresInRow, outcome.Error);
                return;
            }

            var delay = backoff.Delay();
            lock (_gate) _reconnects++;
            EgressMetrics.Reconnects.WithLabels(_labels).Inc();
            SetState(EgressState.Retrying, outcome.Error);
            EgressLog.Retrying(_logger, _channelId, _destination.Id, outcome.Stage, outcome.Error, failuresInRow, (long)delay.TotalMilliseconds);
            await backoff.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why this destination must not push the publisher's video, or null: a platform that takes H.264 only getting HEVC
    /// or AV1 without a transcode, a transcode whose ffmpeg cannot read Enhanced RTMP, or a track the publisher does not
    /// send. Waits (bounded, real time) for the track's sequence header when the answer depends on it.
    /// </summary>
    private async Task<string?> CodecProblemAsync(CancellationToken cancellationToken)
    {
        var track = _destination.TrackId ?? 0;
        var unrestricted = !_destination.UsesFfmpeg && _preset.AcceptsVideoCodec("*");
        if (track == 0 && unrestricted)
        {
            return null;
        }

        var codec = _source.VideoCodecOf(track);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (codec is null && waited.Elapsed < CodecWait && _source.Ingest is { Live: true })
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            codec = _source.VideoCodecOf(track);
        }

        if (codec is null)
        {
            return track == 0 ? null : $"the publisher sends no video track {track} (E-RTMP multitrack, e.g. OBS 'Enable Multitrack Video'): nothing to push";
        }

        var name = CodecDisplayName(codec);
        if (_destination.UsesFfmpeg && codec != "h264")
        {
            return $"cannot transcode {name}: the transcode reads the stream with ffmpeg, and ffmpeg reads Enhanced RTMP (HEVC, AV1) only from 6.1; send H.264 for this destination (or a track with H.264 via trackId)";
        }

        if (!_destination.UsesFfmpeg && !_preset.AcceptsVideoCodec(codec))
        {
            return $"{_preset.DisplayName} takes H.264 video only and the stream (video track {track}) is {name}: nothing is pushed; send H.264 from the encoder or pick an H.264 track with trackId";
        }

        return null;
    }

    private static string CodecDisplayName(string codec) => codec switch
    {
        "hevc" => "HEVC",
        "av1" => "AV1",
        "vp9" => "VP9",
        "h264" => "H.264",
        _ => codec,
    };

    /// <summary>
    /// Marks the destination live when the push says so, then reads its counters every <see cref="SampleInterval"/>
    /// until the attempt ends. One loop: samples never overlap, and the profiler stays single-threaded.
    /// </summary>
    private async Task SampleAsync(PushCounters counters, IEgressFeed feed, CancellationToken cancellationToken)
    {
        await counters.Live.WaitAsync(cancellationToken).ConfigureAwait(false);
        OnLive(counters);
        using var timer = new PeriodicTimer(SampleInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Sample(counters, feed);
        }
    }

    private void OnLive(PushCounters counters)
    {
        var now = _time.GetTimestamp();
        lock (_gate) _liveSince = now;
        _sampler.Restart(counters.BytesSent);

        SetState(EgressState.Live, _lastError);
        EgressMetrics.Up.WithLabels(_labels).Set(1);
        EgressLog.Live(_logger, _channelId, _destination.Id, _preset.Id, UrlRedactor.Redact(_destination.Url));
    }

    private void Sample(PushCounters counters, IEgressFeed feed)
    {
        _sampler.Observe(counters.Sample());
        EgressMetrics.QueueSeconds.WithLabels(_labels).Set(QueueSeconds(feed));
        ReportDrops(feed);
    }

    /// <summary>Queued bytes over the stream's bitrate: media time waiting, without timestamps of queued tags.</summary>
    private double QueueSeconds(IEgressFeed feed)
    {
        var bitsPerSecond = _sampler.BitrateKbps * 1000;
        return bitsPerSecond > 0 ? Math.Round(feed.QueuedBytes * 8 / bitsPerSecond, 3) : 0;
    }

    private void ReportDrops(IEgressFeed feed)
    {
        var total = _droppedBefore + feed.DroppedFrames;
        var delta = total - Interlocked.Exchange(ref _droppedReported, total);
        if (delta > 0)
        {
            EgressMetrics.DroppedFrames.WithLabels(_labels).Inc(delta);
            EgressLog.Dropped(_logger, _channelId, _destination.Id, delta);
        }
    }

    private void SetState(EgressState state, string? lastError)
    {
        lock (_gate)
        {
            _state = state;
            _lastError = lastError;
        }
    }

    /// <summary>Stops the push (FCUnpublish/deleteStream are sent by the pusher) and waits for the loop to end.</summary>
    public async Task StopAsync(EgressState finalState)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        EgressMetrics.Up.WithLabels(_labels).Set(0);
        SetState(finalState, _lastError);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(EgressState.Idle).ConfigureAwait(false);
        _stop.Dispose();
    }
}
