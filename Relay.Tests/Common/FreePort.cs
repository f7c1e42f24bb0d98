using System.Net;
using System.Net.Sockets;

namespace Relay.Tests.Common;

/// <summary>Free loopback ports, remembered so a test can check nothing still mentions the ones it was handed.</summary>
public static class FreePort
{
    private static readonly List<int> Handed = [];

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        lock (Handed) Handed.Add(port);
        return port;
    }

    /// <summary>A UDP port on 127.0.0.1 that was free a moment ago (for SRT).</summary>
    public static int NextUdp()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        lock (Handed) Handed.Add(port);
        return port;
    }

    /// <summary>Ports handed out since <paramref name="mark"/> (tests check nothing still mentions them).</summary>
    public static int[] Since(int mark)
    {
        lock (Handed) return Handed.Skip(mark).ToArray();
    }

    public static int Mark
    {
        get { lock (Handed) return Handed.Count; }
    }

    /// <summary>
    /// Waits for a LISTEN socket on the port without connecting to it: ffmpeg's <c>-listen 1</c> serves exactly one
    /// connection, so a probing connect would use it up.
    /// </summary>
    public static async Task WaitListeningPassivelyAsync(int port, TimeSpan timeout, PeerProcess owner)
    {
        var needle = $":{port:X4} ";
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !owner.Process.HasExited)
        {
            var lines = (await File.ReadAllLinesAsync("/proc/net/tcp")).Concat(File.Exists("/proc/net/tcp6") ? await File.ReadAllLinesAsync("/proc/net/tcp6") : []);
            if (lines.Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, _, "0A", ..] && (local + " ").EndsWith(needle, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(30);
        }

        throw new InvalidOperationException($"nothing listens on {port}\n{owner.StderrTail}");
    }

    public static async Task WaitListeningAsync(int port, TimeSpan timeout, PeerProcess? owner = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && owner?.Process.HasExited != true)
            {
                await Task.Delay(50);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"nothing listens on {port}: {ex.SocketErrorCode}\n{owner?.StderrTail}");
            }
        }
    }
}
