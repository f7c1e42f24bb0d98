using Relay.Common.Resilience;

namespace Relay.Ingest.Egress;

/// <summary>Options under <c>Relay:Egress</c>.</summary>
public sealed class EgressOptions
{
    public const string SectionName = "Relay:Egress";

    /// <summary>Frames one destination may have queued before the hub drops it to the next keyframe (~8 s at 30 fps + audio).</summary>
    public int QueueCapacity { get; set; } = 600;

    /// <summary>First retry waits up to this long (full jitter), doubling per failure in a row.</summary>
    public double BackoffBaseSeconds { get; set; } = 1;

    public double BackoffCapSeconds { get; set; } = 60;

    /// <summary>Live at least this long and the failure count starts over.</summary>
    public double HealthyPeriodSeconds { get; set; } = 30;

    /// <summary>This many failures in a row and the destination is <c>failed</c> until edited or re-enabled.</summary>
    public int FailuresBeforeFailed { get; set; } = 10;

    /// <summary>No bytes accepted (or no acknowledgement from a peer that acknowledges) for this long drops the push.</summary>
    public double StallTimeoutSeconds { get; set; } = 10;

    /// <summary>Connect + TLS + RTMP handshake + publish must finish within this.</summary>
    public double SetupTimeoutSeconds { get; set; } = 10;

    /// <summary>Outgoing RTMP chunk size (Set Chunk Size).</summary>
    public int ChunkSize { get; set; } = 4096;

    /// <summary>
    /// Window Acknowledgement Size announced to servers: they acknowledge every this many bytes, and a server that
    /// stops acknowledging (it stopped reading) is detected as stalled once three windows go unacknowledged.
    /// </summary>
    public int AckWindowBytes { get; set; } = 2_500_000;

    /// <summary>Destinations of one channel that may re-encode (a transcode profile: one libx264 process each).</summary>
    public int MaxTranscodesPerChannel { get; set; } = 2;

    /// <summary>Destinations of all channels on this node that may re-encode; 0 = one per CPU core.</summary>
    public int MaxTranscodes { get; set; }

    /// <summary>Optional PEM file of extra CA certificates trusted for rtmps (private CAs); the system store always is.</summary>
    public string? TrustedCaCertificatesPath { get; set; }

    /// <summary>
    /// Lets destinations set with a host key point at loopback, private, link-local and other non-public addresses
    /// (see <see cref="DestinationAddressPolicy"/>). Off by default; the admin token may always target any address.
    /// </summary>
    public bool AllowPrivateDestinations { get; set; }

    public int EffectiveMaxTranscodes => MaxTranscodes > 0 ? MaxTranscodes : Environment.ProcessorCount;

    public TimeSpan BackoffBase => TimeSpan.FromSeconds(BackoffBaseSeconds);

    public TimeSpan BackoffCap => TimeSpan.FromSeconds(BackoffCapSeconds);

    public TimeSpan HealthyPeriod => TimeSpan.FromSeconds(HealthyPeriodSeconds);

    /// <summary>Reconnects: full jitter under min(cap, base * 2^(n-1)); a push live for the healthy period starts the count over.</summary>
    public BackoffPolicy Backoff => new(BackoffBase, BackoffCap, BackoffJitter.Full) { ResetAfter = HealthyPeriod };

    public TimeSpan StallTimeout => TimeSpan.FromSeconds(StallTimeoutSeconds);

    public TimeSpan SetupTimeout => TimeSpan.FromSeconds(SetupTimeoutSeconds);
}
