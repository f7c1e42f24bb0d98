using System.Runtime.InteropServices;

namespace Relay.Ingest.Srt;

/// <summary>libsrt's <c>SRT_EPOLL_EVENT</c>: a socket and its ready events.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SrtEpollEvent
{
    public int Socket;
    public int Events;
}
