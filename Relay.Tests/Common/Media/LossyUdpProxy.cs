using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Relay.Tests.Common.Media;

/// <summary>
/// A user-space impaired link (netem is not available here): a UDP forwarder between one caller and a target that
/// drops a seeded random share of the datagrams in each direction and delays every other one by a fixed time (so the
/// RTT grows by twice the delay). Order is kept, as on a plain path. Binds 127.0.0.1 on a free port; stops on dispose.
/// </summary>
internal sealed class LossyUdpProxy : IAsyncDisposable
{
    private readonly Socket _front;
    private readonly Socket _back;
    private readonly IPEndPoint _target;
    private readonly double _loss;
    private readonly TimeSpan _delay;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly Channel<(long Due, byte[] Bytes, bool ToTarget)> _upstream = Channel.CreateUnbounded<(long, byte[], bool)>();
    private readonly Channel<(long Due, byte[] Bytes, bool ToTarget)> _downstream = Channel.CreateUnbounded<(long, byte[], bool)>();
    private volatile IPEndPoint? _caller;
    private long _forwardedUp;
    private long _forwardedDown;
    private long _droppedUp;
    private long _droppedDown;

    public LossyUdpProxy(IPEndPoint target, double loss, TimeSpan oneWayDelay, int seed)
    {
        _target = target;
        _loss = loss;
        _delay = oneWayDelay;
        _random = new Random(seed);
        _front = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loops =
        [
            ReceiveAsync(_front, toTarget: true),
            ReceiveAsync(_back, toTarget: false),
            SendAsync(_upstream.Reader),
            SendAsync(_downstream.Reader),
        ];
    }

    /// <summary>Where the caller connects instead of the target.</summary>
    public int Port => ((IPEndPoint)_front.LocalEndPoint!).Port;

    public long ForwardedToTarget => Interlocked.Read(ref _forwardedUp);

    public long ForwardedToCaller => Interlocked.Read(ref _forwardedDown);

    public long DroppedToTarget => Interlocked.Read(ref _droppedUp);

    public long DroppedToCaller => Interlocked.Read(ref _droppedDown);

    public override string ToString() =>
        $"to target: {ForwardedToTarget} forwarded, {DroppedToTarget} dropped; to caller: {ForwardedToCaller} forwarded, {DroppedToCaller} dropped";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        _back.Dispose();
        _upstream.Writer.TryComplete();
        _downstream.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReceiveAsync(Socket socket, bool toTarget)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        var queue = toTarget ? _upstream.Writer : _downstream.Writer;
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (toTarget)
            {
                _caller = (IPEndPoint)result.RemoteEndPoint;
            }

            bool drop;
            lock (_randomLock)
            {
                drop = _random.NextDouble() < _loss;
            }

            if (drop)
            {
                Interlocked.Increment(ref toTarget ? ref _droppedUp : ref _droppedDown);
                continue;
            }

            var due = Stopwatch.GetTimestamp() + (long)(_delay.TotalSeconds * Stopwatch.Frequency);
            queue.TryWrite((due, buffer.AsSpan(0, result.ReceivedBytes).ToArray(), toTarget));
        }
    }

    private async Task SendAsync(ChannelReader<(long Due, byte[] Bytes, bool ToTarget)> queue)
    {
        try
        {
            await foreach (var (due, bytes, toTarget) in queue.ReadAllAsync(_stop.Token))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }

                var to = toTarget ? _target : _caller;
                if (to is null)
                {
                    continue;
                }

                try
                {
                    await (toTarget ? _back : _front).SendToAsync(bytes, SocketFlags.None, to, _stop.Token);
                    Interlocked.Increment(ref toTarget ? ref _forwardedUp : ref _forwardedDown);
                }
                catch (SocketException)
                {
                    // The target's port is closed (ICMP unreachable): the datagram is lost, as on a real path.
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
