using Relay.Common.Files;

namespace Relay.Ingest.Configuration;

/// <summary>Settings under <c>Relay:Ingest</c> (plus <c>Relay:DataDir</c>).</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Relay:Ingest";

    /// <summary>The startup error of a config that still sets <c>Relay:Ingest:Engine</c> (removed with the ffmpeg ingest engine).</summary>
    internal const string EngineRemoved =
        $"{SectionName}:Engine was removed, delete the setting: the native RTMP engine is the only ingest engine (the ffmpeg one is gone, see docs/ingest.md)";

    /// <summary>Public RTMP port OBS publishes to.</summary>
    public int RtmpPort { get; set; } = 1935;

    /// <summary>Address the RTMP gateway binds to.</summary>
    public string RtmpBindAddress { get; set; } = "0.0.0.0";

    /// <summary>The only RTMP application accepted (<c>rtmp://host/APP</c>).</summary>
    public string App { get; set; } = "live";

    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Copied from <c>Relay:DataDir</c> (full path, see <see cref="DataDirectory"/>); PID files of ffmpeg children live in its <c>run</c> folder.</summary>
    public string DataDir { get; set; } = DataDirectory.DefaultPath;

    /// <summary>Time a connection has from accept until its publish is authorized (handshake deadline, slowloris bound).</summary>
    public double HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Time a new connection has to send its first byte (RTMP's C0, or a TLS ClientHello). Encoders send at once; a
    /// connection that only holds a pending slot is closed after this rather than after the whole handshake deadline.
    /// </summary>
    public double FirstByteTimeoutSeconds { get; set; } = 2;

    /// <summary>A live publisher that sends nothing for this long is disconnected.</summary>
    public double InactivityTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long a live channel whose publisher dropped (without unpublishing) is held on the slate, waiting for the
    /// publisher or the backup to come back; 0 turns the slate off (the channel ends at the drop).
    /// </summary>
    public double SlateSeconds { get; set; } = 60;

    /// <summary>The default slate's words: <c>zh-CN</c> (马上回来), <c>en</c> (We'll be right back) or both.</summary>
    public string SlateLanguage { get; set; } = "zh-CN+en";

    internal static IReadOnlyList<string> SlateLanguages { get; } = ["zh-CN", "en", "zh-CN+en"];

    /// <summary>Connections not yet authorized, per client IP.</summary>
    public int MaxPendingConnectionsPerIp { get; set; } = 4;

    /// <summary>Connections not yet authorized, in total.</summary>
    public int MaxPendingConnections { get; set; } = 64;

    /// <summary>Bad keys from one IP before it is made to wait; each further one doubles the wait.</summary>
    public int FailedAuthAttemptsBeforeBackoff { get; set; } = 3;

    /// <summary>Longest brute-force wait of an address; while it lasts, that address's key checks are held back.</summary>
    public double MaxAuthBackoffSeconds { get; set; } = 300;

    /// <summary>
    /// How long a key check from an address in its brute-force wait is held back (at most). The key is checked after
    /// that, and a right key is accepted: an encoder behind the same NAT, load balancer or RTMPS terminator as a
    /// guesser is slowed by this much, never refused. A guesser gets at most MaxPendingConnectionsPerIp answers per
    /// this delay. Never more than half of HandshakeTimeoutSeconds.
    /// </summary>
    public double BlockedKeyCheckDelaySeconds { get; set; } = 2;

    /// <summary>
    /// Publish starts of one channel per minute (a sliding minute). An encoder reconnecting after a network drop
    /// needs a few; a key holder cycling publish/unpublish (each cycle starts an HLS packager, a recording file and
    /// every destination's reconnect) is refused as <c>too_many_publishes</c>.
    /// </summary>
    public int MaxPublishStartsPerChannelPerMinute { get; set; } = 12;

    /// <summary>Tags a subscriber may have queued before it is treated as too slow (keyframe-aware drop).</summary>
    public int SubscriberQueueSize { get; set; } = 1024;

    /// <summary>Bytes a subscriber may have queued before it is treated as too slow.</summary>
    public long SubscriberQueueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest RTMP media message accepted from the publisher.</summary>
    public int MaxTagSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Optional RTMPS port (TLS, terminated by the gateway). Unset = no RTMPS.</summary>
    public int? RtmpsPort { get; set; }

    /// <summary>PKCS#12 (.pfx) or PEM certificate for RTMPS.</summary>
    public string? RtmpsCertificatePath { get; set; }

    public string? RtmpsCertificatePassword { get; set; }

    /// <summary>
    /// UDP port of the SRT listener (<c>srt://host:9710?streamid=publish:live/KEY</c>), bound to
    /// <see cref="RtmpBindAddress"/>. 0 = no SRT.
    /// </summary>
    public int SrtPort { get; set; } = 9710;

    /// <summary>
    /// SRT receiver latency (SRTO_RCVLATENCY): how long a packet may take, retransmissions included, before it is
    /// played out or given up. SRT advice is at least 3-4 x the link's RTT; 300 ms holds 2 % loss at 50 ms RTT with
    /// no lost frame (docs/ingest.md, SRT). The publisher's own latency wins when it asks for more.
    /// </summary>
    public int SrtLatencyMs { get; set; } = 300;

    internal TimeSpan HandshakeTimeout => TimeSpan.FromSeconds(HandshakeTimeoutSeconds);

    /// <summary>The first-byte deadline, never later than the handshake deadline that contains it.</summary>
    internal TimeSpan FirstByteTimeout => TimeSpan.FromSeconds(Math.Min(FirstByteTimeoutSeconds, HandshakeTimeoutSeconds));

    internal TimeSpan SlateTime => TimeSpan.FromSeconds(SlateSeconds);

    internal TimeSpan InactivityTimeout => TimeSpan.FromSeconds(InactivityTimeoutSeconds);
}
