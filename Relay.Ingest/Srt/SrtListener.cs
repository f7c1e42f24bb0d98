using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Srt;

/// <summary>
/// The SRT endpoint (<c>Ingest:SrtPort</c>, UDP) on libsrt. The streamid, the key and the pending-connection limits are
/// checked in libsrt's listen callback, before the handshake completes: a wrong key is answered with a reject code
/// (1401, as SRS and MediaMTX answer) and costs neither an accepted socket nor a process. An accepted caller gets the
/// same publish decision as RTMP (<see cref="PublishGate"/>, shared with <see cref="RtmpListener"/>) and then an
/// <see cref="SrtPublisherConnection"/> on its own thread. The accept loop logs and keeps serving on failure.
/// </summary>
public sealed class SrtListener : BackgroundService
{
    private static readonly TimeSpan AcceptWait = TimeSpan.FromMilliseconds(250);

    private readonly IngestOptions _options;
    private readonly LiveChannelRegistry _channels;
    private readonly FfmpegProcessRegistry _processes;
    private readonly TimeProvider _time;
    private readonly ILogger<SrtListener> _logger;
    private readonly PublishGate _gate;
    private readonly ConnectionLimiter _limiter;
    private readonly ConcurrentDictionary<int, SrtPendingCaller> _pending = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private GCHandle _self;
    private int _listener = SrtNative.Error;
    private bool _started;

    public SrtListener(IOptions<IngestOptions> options, RtmpListener rtmp, LiveChannelRegistry channels, FfmpegProcessRegistry processes, TimeProvider time, ILogger<SrtListener> logger)
    {
        _options = options.Value;
        _channels = channels;
        _processes = processes;
        _time = time;
        _logger = logger;
        _gate = rtmp.Gate;
        _limiter = rtmp.Limiter;
    }

    /// <summary>Where SRT listens; null when <c>Ingest:SrtPort</c> is 0 or before start.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.SrtPort == 0)
        {
            return Task.CompletedTask;
        }

        var address = IPAddress.Parse(_options.RtmpBindAddress);
        try
        {
            SrtNative.Startup();
            SrtNative.SetLogLevel(SrtNative.LogLevelError);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException($"{IngestOptions.SectionName}:SrtPort: libsrt ({SrtNative.Library}) cannot be loaded: install libsrt1.5-openssl, or set SrtPort to 0", ex);
        }

        _self = GCHandle.Alloc(this);
        _started = true;
        _listener = Listen(address, _options.SrtPort, _options.SrtLatencyMs, GCHandle.ToIntPtr(_self));
        EndPoint = new IPEndPoint(address, _options.SrtPort);
        SrtLog.Listening(_logger, EndPoint, _options.SrtLatencyMs);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        if (_listener != SrtNative.Error)
        {
            SrtNative.Close(_listener);
            _listener = SrtNative.Error;
        }

        foreach (var caller in _pending.Values)
        {
            caller.Lease.Dispose();
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }

        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // srt_epoll_uwait blocks: the accept loop has its own thread, as each publisher has.
        var thread = new Thread(() =>
        {
            try
            {
                AcceptLoop(stoppingToken);
            }
            finally
            {
                SrtNative.Close(_listener);
                _listener = SrtNative.Error;
                done.TrySetResult();
            }
        }, 256 * 1024)
        {
            IsBackground = true,
            Name = "SRT accept",
        };
        thread.Start();
        return done.Task;
    }

    private unsafe void AcceptLoop(CancellationToken stoppingToken)
    {
        var epoll = SrtNative.EpollCreate();
        var events = SrtNative.EpollIn | SrtNative.EpollErr;
        SrtNative.EpollAdd(epoll, _listener, &events);
        try
        {
            var ready = stackalloc SrtEpollEvent[1];
            var address = stackalloc byte[SrtAddress.MaxLength];
            while (!stoppingToken.IsCancellationRequested)
            {
                ForgetStalePending();
                if (SrtNative.EpollWait(epoll, ready, 1, (long)AcceptWait.TotalMilliseconds) <= 0)
                {
                    continue;
                }

                // One accept per wake-up: epoll is level-triggered, so a second caller wakes the next wait at once (an
                // accept on an empty queue would have libsrt print an error line of its own).
                var length = SrtAddress.MaxLength;
                var socket = SrtNative.Accept(_listener, address, &length);
                if (socket == SrtNative.Error)
                {
                    SrtLog.AcceptFailed(_logger, SrtNative.LastErrorText());
                    Thread.Sleep(AcceptWait);
                    continue;
                }

                try
                {
                    Hand(socket, SrtAddress.Read(address), stoppingToken);
                }
                catch (Exception ex)
                {
                    // One caller's failure never ends the accept loop.
                    SrtLog.ConnectionCrashed(_logger, ex);
                    SrtNative.Close(socket);
                }
            }
        }
        finally
        {
            SrtNative.EpollRelease(epoll);
        }
    }

    private void Hand(int socket, IPEndPoint remote, CancellationToken stoppingToken)
    {
        if (!_pending.TryRemove(socket, out var caller))
        {
            // Admitted by the callback, then evicted (or forgotten) before the handshake completed.
            SrtLog.CountRefusal(_logger, remote, PublishRejectReason.TooManyConnections);
            SrtNative.Close(socket);
            return;
        }

        var connection = new SrtPublisherConnection(socket, remote, caller.StreamId, caller.Lease, _options, _channels, _limiter, _gate, _processes, _time, _logger);
        _connections[socket] = RunAsync(socket, connection, stoppingToken);
    }

    private async Task RunAsync(int socket, SrtPublisherConnection connection, CancellationToken stoppingToken)
    {
        try
        {
            await PublisherThread.RunAsync(() => connection.RunAsync(stoppingToken)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // RunAsync handles its own errors; this is the last line so one connection can never take the listener down.
            SrtLog.ConnectionCrashed(_logger, ex);
        }
        finally
        {
            _connections.TryRemove(socket, out _);
        }
    }

    /// <summary>
    /// A caller that passed the callback but whose handshake never completed (it went away) holds a pending slot
    /// until the handshake deadline, not forever.
    /// </summary>
    private void ForgetStalePending()
    {
        var now = _time.GetTimestamp();
        foreach (var (socket, caller) in _pending)
        {
            if (_time.GetElapsedTime(caller.Admitted, now) > _options.HandshakeTimeout && _pending.TryRemove(socket, out _))
            {
                caller.Lease.Dispose();
            }
        }
    }

    /// <summary>libsrt's listen callback: 0 lets the handshake complete, -1 rejects it with the reason set on the socket.</summary>
    [UnmanagedCallersOnly]
    private static unsafe int OnCaller(nint opaque, int socket, int handshakeVersion, byte* peer, byte* streamId)
    {
        try
        {
            var listener = (SrtListener)GCHandle.FromIntPtr(opaque).Target!;
            var reason = listener.Admit(socket, SrtAddress.Read(peer), Marshal.PtrToStringUTF8((nint)streamId));
            if (reason == 0)
            {
                return 0;
            }

            SrtNative.SetRejectReason(socket, reason);
            return -1;
        }
        catch (Exception)
        {
            // Nothing may unwind into libsrt's thread; a failure refuses the caller.
            return -1;
        }
    }

    /// <summary>The checks before the handshake completes; 0 admits the caller as pending, else the reject code.</summary>
    private int Admit(int socket, IPEndPoint remote, string? streamId)
    {
        if (!SrtStreamId.TryParse(streamId, out var parsed, out var error))
        {
            SrtLog.StreamIdRefused(_logger, remote, error);
            SrtLog.CountRefusal(_logger, remote, PublishRejectReason.ProtocolError);
            return SrtNative.RejectBadRequest;
        }

        if (!string.Equals(parsed.App, _options.App, StringComparison.Ordinal))
        {
            SrtLog.CountRefusal(_logger, remote, PublishRejectReason.WrongApp);
            return SrtNative.RejectNotFound;
        }

        var refusal = _gate.RefuseOverlongName(parsed.PublishName, remote)
            ? PublishRejectReason.BadKey
            : _gate.PrecheckKey(parsed.App, parsed.PublishName, remote);
        if (refusal is not null)
        {
            SrtLog.CountRefusal(_logger, remote, refusal);
            return refusal is PublishRejectReason.BadKey or PublishRejectReason.MissingKey ? SrtNative.RejectUnauthorized : SrtNative.RejectForbidden;
        }

        var lease = _limiter.Admit(remote.Address);
        var caller = new SrtPendingCaller(parsed, lease, _time.GetTimestamp());
        _pending[socket] = caller;
        // Evicted before accept: the slot is gone; the accept finds no pending caller and refuses.
        lease.Evicted.Register(() =>
        {
            if (_pending.TryRemove(new KeyValuePair<int, SrtPendingCaller>(socket, caller)))
            {
                lease.Dispose();
            }
        });
        return 0;
    }

    private static unsafe int Listen(IPAddress address, int port, int latencyMs, nint self)
    {
        var socket = SrtNative.CreateSocket();
        try
        {
            // Non-blocking accept (woken by epoll) so the loop sees its stopping token; accepted sockets are made
            // blocking again by their connection. The latency is the listener's and so every caller's.
            Check(SrtNative.SetBool(socket, SrtNative.OptRcvSyn, false), port);
            Check(SrtNative.SetInt(socket, SrtNative.OptRcvLatency, latencyMs), port);
            Span<byte> name = stackalloc byte[SrtAddress.MaxLength];
            var length = SrtAddress.Write(new IPEndPoint(address, port), name);
            fixed (byte* p = name)
            {
                Check(SrtNative.Bind(socket, p, length), port);
            }

            Check(SrtNative.Listen(socket, 64), port);
            Check(SrtNative.ListenCallback(socket, &OnCaller, self), port);
            return socket;
        }
        catch
        {
            SrtNative.Close(socket);
            throw;
        }
    }

    private static void Check(int result, int port)
    {
        if (result == SrtNative.Error)
        {
            throw new InvalidOperationException($"{IngestOptions.SectionName}:SrtPort: cannot listen on UDP port {port}: {SrtNative.LastErrorText()}");
        }
    }
}
