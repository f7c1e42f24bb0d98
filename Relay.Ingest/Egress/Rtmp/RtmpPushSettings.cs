using System.Security.Cryptography.X509Certificates;

namespace Relay.Ingest.Egress.Rtmp;

public sealed record RtmpPushSettings
{
    /// <summary>Budget for TCP connect + TLS + handshake + connect/createStream/publish.</summary>
    public TimeSpan SetupTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A write that makes no progress for this long, or no acknowledgement for this long, drops the push.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Outgoing chunk size: 4096 keeps header overhead under 0.5 % and is what OBS and ffmpeg use.</summary>
    public int ChunkSize { get; init; } = 4096;

    /// <summary>Acknowledgement window we ask the server to use for the media we send.</summary>
    public int WindowAcknowledgementSize { get; init; } = 2_500_000;

    /// <summary>Extra roots trusted for rtmps (private CAs, test terminators) on top of the system store.</summary>
    public X509Certificate2Collection? ExtraTrustedRoots { get; init; }

    /// <summary>
    /// Kernel send buffer of a push socket; null leaves it to the kernel's autotuning (up to several MB). A smaller one
    /// makes a congested destination fall back to Relay's own queue, and its keyframe-aware drop, sooner.
    /// </summary>
    public int? SendBufferSize { get; init; }

    /// <summary>
    /// When set, the socket connects only to addresses this policy vetted (resolved now, never the name again), for
    /// destinations whose URL a host key set. Null connects to the name as given.
    /// </summary>
    public DestinationAddressPolicy? AddressGuard { get; init; }

    /// <summary>Coalesce queued frames into one socket write up to this many bytes.</summary>
    public int MaxBatchBytes { get; init; } = 64 * 1024;
}
