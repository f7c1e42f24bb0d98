using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// The switch point of one published channel: its inputs (the primary publisher, the backup publisher) and the slate
/// feed the channel's one <see cref="StreamHub"/>, which HTTP-FLV, HLS, the recorder and every destination read, so
/// none of them notices a switch. At most one source is on air.
/// <list type="bullet">
/// <item>Timestamps continue: an input going on air gets an offset that puts its first keyframe one frame interval
/// after the last tag out (a returning OBS starts again at 0); audio and video of an input share the offset, and
/// neither track ever goes back (a tag that would is moved to just after the last one of its track).</item>
/// <item>Switches happen at a keyframe of the incoming source; its tags before that are dropped, its sequence
/// headers and metadata are kept and sent first when they differ from those on air.</item>
/// <item>The first input goes on air with its first tag and offset 0: a channel that never switches is exactly the
/// publisher's stream, as before the switch existed.</item>
/// <item>The publisher on air dropping (its connection closed, or silent for <see cref="SilenceLimit"/>) puts the
/// slate on air for the channel's slate time; an input returning (or the backup) takes over at its keyframe; the
/// primary takes over from the backup at its keyframe.</item>
/// </list>
/// Locks: the switch's lock, then the hub's (inside <see cref="StreamHub.Publish"/>), never the other way round.
/// </summary>
internal sealed partial class ChannelSwitch
{
    /// <summary>
    /// How long an on-air publisher may send nothing before the slate replaces it. Encoders send a tag every 20-40 ms;
    /// half a second of nothing is a stalled network, and with the watchdog's period the slate is on air at most
    /// 0.75 s after the last packet (the issue asks for 1 s).
    /// </summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The watchdog's period: only while a channel is live (an idle server runs no timer faster than 1 s).
    /// </summary>
    private static readonly TimeSpan WatchPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>The slate's pacing: one tick sends every slate frame that is due; only while the slate is on air.</summary>
    private static readonly TimeSpan SlateTick = TimeSpan.FromMilliseconds(20);

    private const double DefaultFps = 30;

    private readonly Lock _lock = new();
    private readonly StreamHub _hub;
    private readonly ISlateSource? _slates;
    private readonly TimeSpan _slateFor;
    private readonly Func<bool> _slateAllowed;
    private readonly Action _expired;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<ChannelInput> _inputs = [];
    private readonly ITimer? _watchdog;
    private ChannelInput? _onAir;
    private bool _everOnAir;
    private bool _anyVideo;
    private bool _anyAudio;
    private uint _lastVideo;
    private uint _lastAudio;
    private FlvTag? _airMetadata;
    private FlvTag? _airVideoHeader;
    private FlvTag? _airAudioHeader;
    private int _sourceKeyframes;
    private bool _shapeDecided;
    private StreamShape? _shape;
    private bool _holding;
    private ITimer? _expiry;
    private SlateRun? _slate;
    private ITimer? _slateTimer;
    private bool _closed;

    /// <param name="slateFor">How long the channel is held after its publisher dropped; zero: not at all (slate off).</param>
    /// <param name="slateAllowed">Whether the channel may be held now (a rehearsal ends as before).</param>
    /// <param name="expired">Called (off the lock) when the slate time ran out with no input back.</param>
    public ChannelSwitch(StreamHub hub, ISlateSource? slates, TimeSpan slateFor, Func<bool> slateAllowed, Action expired, TimeProvider time, ILogger logger)
    {
        _hub = hub;
        _slates = slates;
        _slateFor = slateFor;
        _slateAllowed = slateAllowed;
        _expired = expired;
        _time = time;
        _logger = logger;
        if (slateFor > TimeSpan.Zero)
        {
            _watchdog = time.CreateTimer(static s => ((ChannelSwitch)s!).Watch(), this, WatchPeriod, WatchPeriod);
        }
    }

    private string ChannelId => _hub.ChannelId;

    /// <summary>What is on air: <see cref="OnAirSource"/>'s primary, backup or slate (also while held without a
    /// picture); null before the first tag.</summary>
    public string? OnAir
    {
        get
        {
            lock (_lock)
            {
                return _onAir is { } input ? OnAirSource.Of(input.Role) : _holding ? OnAirSource.Slate : null;
            }
        }
    }

    /// <summary>True while a backup publisher is connected and not on air (standby).</summary>
    public bool BackupStandby
    {
        get
        {
            lock (_lock)
            {
                return _inputs.Exists(i => i.Role == IngestInput.Backup && !ReferenceEquals(i, _onAir));
            }
        }
    }

    /// <summary>The connected input of <paramref name="role"/>, if any.</summary>
    public ChannelInput? Find(IngestInput role)
    {
        lock (_lock)
        {
            return _inputs.Find(i => i.Role == role);
        }
    }

    public int InputCount
    {
        get
        {
            lock (_lock)
            {
                return _inputs.Count;
            }
        }
    }

    /// <summary>
    /// Adds a publisher as an input. Null when the channel has ended, or when an input of the same role is connected
    /// and sending (one primary, one backup); one of that role that has been silent for <see cref="SilenceLimit"/> (an
    /// encoder's old connection after it reconnected) is cut and replaced.
    /// </summary>
    public ChannelInput? TryAttach(PublisherSession session, IngestInput role)
    {
        ChannelInput? replaced = null;
        ChannelInput input;
        lock (_lock)
        {
            if (_closed)
            {
                return null;
            }

            var same = _inputs.Find(i => i.Role == role);
            if (same is not null)
            {
                if (Stopwatch.GetElapsedTime(same.LastMedia) < SilenceLimit)
                {
                    return null;
                }

                replaced = same;
                Remove(same);
            }

            input = new ChannelInput(session, role);
            _inputs.Add(input);
        }

        if (replaced is not null)
        {
            LogReplaced(_logger, ChannelId, OnAirSource.Of(role));
            replaced.Cut();
        }

        return input;
    }

    /// <summary>A tag of <paramref name="input"/> (its publisher's thread).</summary>
    public void Publish(ChannelInput input, FlvTag tag)
    {
        lock (_lock)
        {
            if (_closed || input.Ended)
            {
                return;
            }

            if (!ReferenceEquals(input, _onAir))
            {
                if (_everOnAir)
                {
                    if (IsHeader(tag))
                    {
                        input.Remember(tag);
                        return;
                    }

                    if (IsStart(input, tag) && MayTakeAir(input))
                    {
                        SwitchTo(input, tag);
                    }

                    return;
                }

                // The channel's first publisher: on air from its first tag, timestamps untouched.
                _everOnAir = true;
                _onAir = input;
                input.Offset = 0;
            }

            if (IsHeader(tag))
            {
                input.Remember(tag);
            }

            Emit(tag, tag.Timestamp + input.Offset, fromInput: true);
        }
    }

    /// <summary>
    /// The connection of <paramref name="input"/> ended. Returns the channel's end reason when the channel ends with
    /// it, null when it goes on (the other input, or the slate, is on air or will be).
    /// </summary>
    /// <param name="reason">An <see cref="IngestEndReason"/> of the connection.</param>
    public string? Detach(ChannelInput input, string reason)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return reason;
            }

            if (input.Ended)
            {
                // Replaced by a reconnect of the same encoder: the channel is the new connection's now.
                return null;
            }

            var wasOnAir = ReferenceEquals(_onAir, input);
            Remove(input);
            if (reason == IngestEndReason.Refused && !input.CutAlone)
            {
                // The server ends the channel (key rotated, channel deleted, ownership lost, shutdown).
                return reason;
            }

            if (reason == IngestEndReason.Unpublish && (wasOnAir || (_onAir is null && _inputs.Count == 0)))
            {
                // A clean stop of what is on air ends the show at once; a standby's is only its own.
                return reason;
            }

            if (_onAir is not null || _holding)
            {
                return null;
            }

            if (_everOnAir && _slateFor > TimeSpan.Zero && _slateAllowed())
            {
                Hold(reason == IngestEndReason.Unpublish ? "its publisher unpublished" : "its publisher dropped");
                return null;
            }

            // No slate: the other input (if any) takes over at its keyframe; otherwise the channel ends as always.
            return _inputs.Count > 0 ? null : reason == IngestEndReason.Refused ? IngestEndReason.Refused : reason == IngestEndReason.Unpublish ? reason : IngestEndReason.Dropped;
        }
    }

    /// <summary>Ends the switch (the channel ended): timers stop; returns the inputs still connected, to cut them.</summary>
    public IReadOnlyList<ChannelInput> Close() => CloseIf(holdingOnly: false) ?? [];

    /// <summary>
    /// <see cref="Close"/> when nothing came back on air (the slate's time ran out); null when an input took over
    /// meanwhile, decided under the lock so a publisher returning at the last moment is never ended.
    /// </summary>
    public IReadOnlyList<ChannelInput>? CloseIfHeld() => CloseIf(holdingOnly: true);

    private List<ChannelInput>? CloseIf(bool holdingOnly)
    {
        List<ChannelInput> remaining;
        lock (_lock)
        {
            if (_closed || (holdingOnly && !_holding))
            {
                return holdingOnly ? null : [];
            }

            _closed = true;
            StopSlate();
            _expiry?.Dispose();
            _expiry = null;
            _watchdog?.Dispose();
            remaining = [.. _inputs];
            foreach (var input in remaining)
            {
                input.Ended = true;
            }

            _inputs.Clear();
            _onAir = null;
        }

        IngestMetrics.SlateActive.WithLabels(ChannelId).Set(0);
        return remaining;
    }

    private static bool IsHeader(FlvTag tag) => tag.Kind is FlvTagKind.Metadata or FlvTagKind.VideoSequenceHeader or FlvTagKind.AudioSequenceHeader;

    /// <summary>Where a decoder can start: a keyframe, or any audio frame of an input without video.</summary>
    private static bool IsStart(ChannelInput input, FlvTag tag) =>
        tag.IsKeyframe || (tag.Kind == FlvTagKind.AudioFrame && input.VideoHeader is null);

    /// <summary>Nothing on air (slate or held), or the primary coming back while the backup is on air.</summary>
    private bool MayTakeAir(ChannelInput input) =>
        _onAir is null || (_onAir.Role == IngestInput.Backup && input.Role == IngestInput.Primary);

    private void Remove(ChannelInput input)
    {
        input.Ended = true;
        _inputs.Remove(input);
        if (ReferenceEquals(_onAir, input))
        {
            _onAir = null;
        }
    }

    private void SwitchTo(ChannelInput input, FlvTag keyframe)
    {
        var from = _onAir is { } previous ? OnAirSource.Of(previous.Role) : OnAirSource.Slate;
        var at = NextTimestamp();
        StopSlate();
        if (_holding)
        {
            _holding = false;
            _expiry?.Dispose();
            _expiry = null;
            IngestMetrics.SlateActive.WithLabels(ChannelId).Set(0);
        }

        _onAir = input;
        input.Offset = (long)at - keyframe.Timestamp;
        SendHeaders(input.Metadata, input.VideoHeader, input.AudioHeader, at);
        Emit(keyframe, at, fromInput: true);
        var to = OnAirSource.Of(input.Role);
        IngestMetrics.Failovers.WithLabels(ChannelId, to).Inc();
        LogSwitched(_logger, ChannelId, from, to, at);
    }

    /// <summary>Nothing on air: the slate goes on (when it is ready) until an input takes over or the time runs out.</summary>
    private void Hold(string why)
    {
        _holding = true;
        _expiry = _time.CreateTimer(static s => ((ChannelSwitch)s!).Expire(), this, _slateFor, Timeout.InfiniteTimeSpan);
        IngestMetrics.SlateActive.WithLabels(ChannelId).Set(1);
        IngestMetrics.Failovers.WithLabels(ChannelId, OnAirSource.Slate).Inc();
        var gop = _shape is { } shape ? _slates?.Find(ChannelId, shape) : null;
        if (gop is null)
        {
            LogHeldWithoutPicture(_logger, ChannelId, why, _slateFor.TotalSeconds);
            return;
        }

        var at = NextTimestamp();
        SendHeaders(null, gop.VideoHeader, gop.AudioHeader, at);
        _slate = new SlateRun(gop, at, Stopwatch.GetTimestamp());
        EmitDueSlate();
        _slateTimer = _time.CreateTimer(static s => ((ChannelSwitch)s!).TickSlate(), this, SlateTick, SlateTick);
        LogSlateOn(_logger, ChannelId, why, at, _slateFor.TotalSeconds);
    }

    private void StopSlate()
    {
        _slateTimer?.Dispose();
        _slateTimer = null;
        _slate = null;
    }

    private void Watch()
    {
        lock (_lock)
        {
            if (_closed || _onAir is not { } input || Stopwatch.GetElapsedTime(input.LastMedia) < SilenceLimit || !_slateAllowed())
            {
                return;
            }

            // Connected but silent (a stalled network): the slate covers; the same connection resuming takes over
            // again at its next keyframe, and the inactivity timeout still disconnects it later.
            _onAir = null;
            Hold($"its {OnAirSource.Of(input.Role)} publisher went silent");
        }
    }

    private void TickSlate()
    {
        lock (_lock)
        {
            if (!_closed && _slate is not null)
            {
                EmitDueSlate();
            }
        }
    }

    private void Expire()
    {
        lock (_lock)
        {
            if (_closed || !_holding)
            {
                return;
            }
        }

        LogSlateExpired(_logger, ChannelId, _slateFor.TotalSeconds);
        _expired();
    }

    /// <summary>Sends every slate frame due by now: loop n's frame at base + n * period + its own timestamp.</summary>
    private void EmitDueSlate()
    {
        var run = _slate!;
        var elapsed = (long)Stopwatch.GetElapsedTime(run.Started).TotalMilliseconds;
        var frames = run.Gop.Frames;
        while (true)
        {
            var frame = frames[run.Index];
            var at = run.Loop * run.Gop.PeriodMs + frame.Timestamp;
            if (at > elapsed)
            {
                return;
            }

            Emit(frame, run.Base + at, fromInput: false);
            if (++run.Index == frames.Count)
            {
                run.Index = 0;
                run.Loop++;
            }
        }
    }

    private void SendHeaders(FlvTag? metadata, FlvTag? videoHeader, FlvTag? audioHeader, uint at)
    {
        if (metadata is not null && !SameBody(metadata, _airMetadata))
        {
            Emit(metadata, at, fromInput: false);
        }

        if (videoHeader is not null && !SameBody(videoHeader, _airVideoHeader))
        {
            Emit(videoHeader, at, fromInput: false);
        }

        if (audioHeader is not null && !SameBody(audioHeader, _airAudioHeader))
        {
            Emit(audioHeader, at, fromInput: false);
        }
    }

    private static bool SameBody(FlvTag tag, FlvTag? other) => other is not null && tag.Body.Span.SequenceEqual(other.Body.Span);

    /// <summary>One frame interval after the last tag out (0 before any).</summary>
    private uint NextTimestamp()
    {
        if (!_anyVideo && !_anyAudio)
        {
            return 0;
        }

        var fps = _hub.GetRates().Fps is { } f && f > 0 ? f : DefaultFps;
        return Math.Max(_lastVideo, _lastAudio) + (uint)Math.Max(1, Math.Round(1000 / fps));
    }

    /// <summary>
    /// Sends a tag at <paramref name="at"/>, never before the last tag of its track (a frame is moved 1 ms after it, a
    /// header to it); the tag is copied only when its timestamp changes.
    /// </summary>
    private void Emit(FlvTag tag, long at, bool fromInput)
    {
        var frame = tag.Kind is FlvTagKind.VideoKeyframe or FlvTagKind.VideoInterframe or FlvTagKind.AudioFrame;
        if (tag.IsVideo && _anyVideo && at <= _lastVideo)
        {
            at = frame ? _lastVideo + 1L : _lastVideo;
        }
        else if (tag.IsAudio && _anyAudio && at <= _lastAudio)
        {
            at = frame ? _lastAudio + 1L : _lastAudio;
        }

        var timestamp = (uint)Math.Clamp(at, 0, uint.MaxValue);
        var output = timestamp == tag.Timestamp ? tag : FlvTag.Create(tag.Type, timestamp, tag.Body.Span);
        switch (output.Kind)
        {
            case FlvTagKind.Metadata:
                _airMetadata = output;
                break;
            case FlvTagKind.VideoSequenceHeader:
                _airVideoHeader = output;
                break;
            case FlvTagKind.AudioSequenceHeader:
                _airAudioHeader = output;
                break;
        }

        // Frames set the tracks' clocks; a header sent at a switch shares its keyframe's timestamp.
        if (frame && output.IsVideo)
        {
            _anyVideo = true;
            _lastVideo = timestamp;
        }
        else if (frame && output.IsAudio)
        {
            _anyAudio = true;
            _lastAudio = timestamp;
        }

        _hub.Publish(output);
        if (fromInput && output.IsKeyframe)
        {
            ObserveShape();
        }
    }

    /// <summary>
    /// Once per channel, when its shape is known (the headers on air and a frame rate, at the latest at the second
    /// keyframe): asks for the slate to be encoded now, so a drop finds it ready.
    /// </summary>
    private void ObserveShape()
    {
        if (_shapeDecided || _slates is null || _slateFor <= TimeSpan.Zero)
        {
            return;
        }

        _sourceKeyframes++;
        var fps = _hub.GetRates().Fps;
        if (fps is null && _sourceKeyframes < 2)
        {
            return;
        }

        _shapeDecided = true;
        _shape = _airVideoHeader is { } video
            ? StreamShape.TryRead(video.Body.Span, _airAudioHeader is { } audio ? audio.Body.Span : default, fps ?? DefaultFps)
            : null;
        if (_shape is null)
        {
            LogNoSlateForShape(_logger, ChannelId);
            return;
        }

        _slates.Prepare(ChannelId, _shape);
    }

    [LoggerMessage(EventId = EventIds.SlateOn, Level = LogLevel.Warning, Message = "Channel {ChannelId}: {Why}; the slate is on air from {Timestamp} ms for up to {Seconds} s")]
    private static partial void LogSlateOn(ILogger logger, string channelId, string why, uint timestamp, double seconds);

    [LoggerMessage(EventId = EventIds.SlateHeldWithoutPicture, Level = LogLevel.Warning, Message = "Channel {ChannelId}: {Why}; no slate is ready for its stream, the channel is held without a picture for up to {Seconds} s")]
    private static partial void LogHeldWithoutPicture(ILogger logger, string channelId, string why, double seconds);

    [LoggerMessage(EventId = EventIds.InputSwitched, Level = LogLevel.Information, Message = "Channel {ChannelId}: {From} -> {To} on air at {Timestamp} ms")]
    private static partial void LogSwitched(ILogger logger, string channelId, string from, string to, uint timestamp);

    [LoggerMessage(EventId = EventIds.SlateExpired, Level = LogLevel.Information, Message = "Channel {ChannelId}: no publisher came back within {Seconds} s of slate; the channel ends")]
    private static partial void LogSlateExpired(ILogger logger, string channelId, double seconds);

    [LoggerMessage(EventId = EventIds.SlateUnavailable, Level = LogLevel.Information, Message = "Channel {ChannelId}: its stream is not H.264 with AAC (or has no frame rate); a drop holds the channel without a slate picture")]
    private static partial void LogNoSlateForShape(ILogger logger, string channelId);

    [LoggerMessage(EventId = EventIds.InputReplaced, Level = LogLevel.Information, Message = "Channel {ChannelId}: its {Input} publisher reconnected; the old, silent connection is cut")]
    private static partial void LogReplaced(ILogger logger, string channelId, string input);

    /// <summary>The slate loop on air: where it started, in output time and on the clock, and the next frame.</summary>
    private sealed class SlateRun(SlateGop gop, uint @base, long started)
    {
        public SlateGop Gop { get; } = gop;

        public long Base { get; } = @base;

        public long Started { get; } = started;

        public long Loop { get; set; }

        public int Index { get; set; }
    }
}
