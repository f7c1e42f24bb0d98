using Relay.Ingest.Publishing;

namespace Relay.Ingest.Srt;

/// <summary>A caller the listen callback admitted, waiting for <c>srt_accept</c>: what it asked for and its pending slot.</summary>
internal sealed record SrtPendingCaller(SrtStreamId StreamId, ConnectionLimiter.PendingLease Lease, long Admitted);
