using System.Buffers.Binary;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Srt;

/// <summary>
/// One publisher's SRT link counters, read with <c>srt_bstats</c> (never cleared, so every field is a total since the
/// connection started) and added to <see cref="SrtMetrics"/> as deltas. Offsets are those of libsrt 1.5's
/// <c>CBytePerfMon</c> on a 64-bit system; fields are only ever appended to that struct.
/// </summary>
internal sealed class SrtLinkStats(int socket, string channelId)
{
    // Larger than CBytePerfMon (about 560 bytes in 1.5) so a newer libsrt's appended fields still fit.
    private const int BufferSize = 1024;
    private const int PktRecvTotal = 16;
    private const int PktRcvLossTotal = 28;
    private const int PktRcvDropTotal = 68;
    private const int PktRcvRetrans = 164;
    private const int MsRtt = 328;

    public long Received { get; private set; }

    public long Lost { get; private set; }

    public long Retransmitted { get; private set; }

    public long Dropped { get; private set; }

    public double RttMs { get; private set; }

    public unsafe void Sample()
    {
        Span<byte> stats = stackalloc byte[BufferSize];
        stats.Clear();
        fixed (byte* p = stats)
        {
            if (SrtNative.ByteStats(socket, p, 0) == SrtNative.Error)
            {
                return;
            }
        }

        var received = BinaryPrimitives.ReadInt64LittleEndian(stats[PktRecvTotal..]);
        var lost = BinaryPrimitives.ReadInt32LittleEndian(stats[PktRcvLossTotal..]);
        var dropped = BinaryPrimitives.ReadInt32LittleEndian(stats[PktRcvDropTotal..]);
        var retransmitted = BinaryPrimitives.ReadInt32LittleEndian(stats[PktRcvRetrans..]);
        RttMs = BinaryPrimitives.ReadDoubleLittleEndian(stats[MsRtt..]);
        SrtMetrics.PacketsReceived.WithLabels(channelId).Inc(Math.Max(0, received - Received));
        SrtMetrics.PacketsLost.WithLabels(channelId).Inc(Math.Max(0, lost - Lost));
        SrtMetrics.PacketsDropped.WithLabels(channelId).Inc(Math.Max(0, dropped - Dropped));
        SrtMetrics.PacketsRetransmitted.WithLabels(channelId).Inc(Math.Max(0, retransmitted - Retransmitted));
        SrtMetrics.RttSeconds.WithLabels(channelId).Set(RttMs / 1000);
        Received = Math.Max(Received, received);
        Lost = Math.Max(Lost, lost);
        Dropped = Math.Max(Dropped, dropped);
        Retransmitted = Math.Max(Retransmitted, retransmitted);
    }
}
