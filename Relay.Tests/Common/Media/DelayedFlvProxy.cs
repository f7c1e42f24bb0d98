using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Relay.Tests.Common.Media;

/// <summary>
/// A loopback HTTP proxy in front of a Relay that holds back what the server sends on a connection once that connection
/// asked for an HTTP-FLV stream (<c>GET /live/….flv</c>) by a fixed delay, and passes everything else (pages, the hub's
/// WebSocket) at once: a viewer whose picture is that far behind live while the room's events reach it on time.
/// </summary>
public sealed class DelayedFlvProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly int _targetPort;
    private readonly TimeSpan _delay;
    private readonly Task _accept;

    private DelayedFlvProxy(Uri target, TimeSpan delay)
    {
        _targetPort = target.Port;
        _delay = delay;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accept = Task.Run(AcceptAsync);
    }

    public Uri BaseAddress { get; }

    public static DelayedFlvProxy Start(Uri target, TimeSpan delay) => new(target, delay);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        lock (_clients) _clients.AddRange([client, upstream]);
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            // One flag per connection, set by the upward pump and read by the downward one.
            var delayed = new bool[1];
            var down = Channel.CreateUnbounded<(DateTime Due, byte[] Bytes)>();
            var up = PumpUpAsync(client.GetStream(), upstream.GetStream(), delayed);
            var read = PumpDownAsync(upstream.GetStream(), client.GetStream(), delayed, down.Writer);
            _ = WriteDelayedAsync(client.GetStream(), down.Reader);
            await Task.WhenAny(up, read);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task PumpUpAsync(NetworkStream from, NetworkStream to, bool[] delayed)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            // The request line of a stream: from here on this connection carries it until it closes.
            if (!Volatile.Read(ref delayed[0]) && Encoding.ASCII.GetString(buffer, 0, n) is var text && text.StartsWith("GET /live/", StringComparison.Ordinal)
                && text.Split(' ', 3) is [_, var path, _] && path.Split('?')[0].EndsWith(".flv", StringComparison.Ordinal))
            {
                Volatile.Write(ref delayed[0], true);
            }

            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    private async Task PumpDownAsync(NetworkStream from, NetworkStream to, bool[] delayed, ChannelWriter<(DateTime, byte[])> later)
    {
        var buffer = new byte[64 * 1024];
        int n;
        try
        {
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (Volatile.Read(ref delayed[0])) await later.WriteAsync((DateTime.UtcNow + _delay, buffer[..n]), _stop.Token);
                else await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        finally
        {
            later.TryComplete();
        }
    }

    private async Task WriteDelayedAsync(NetworkStream to, ChannelReader<(DateTime Due, byte[] Bytes)> queue)
    {
        try
        {
            await foreach (var (due, bytes) in queue.ReadAllAsync(_stop.Token))
            {
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _stop.Token);
                await to.WriteAsync(bytes, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var c in _clients) c.Dispose();
        }

        await _accept;
        _stop.Dispose();
    }
}
