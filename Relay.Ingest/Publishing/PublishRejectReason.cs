namespace Relay.Ingest.Publishing;

/// <summary>
/// Reason tokens of refused publishes, the <c>reason</c> label of <c>relay_ingest_rejected_total</c>.
/// The authorizer returns <see cref="BadKey"/>, <see cref="MissingKey"/> (or its own token); the gateway
/// decides the others.
/// </summary>
public static class PublishRejectReason
{
    /// <summary>The stream key matches no channel (wrong, or rotated away).</summary>
    public const string BadKey = "bad_key";

    /// <summary>The publish name was empty.</summary>
    public const string MissingKey = "missing_key";

    /// <summary>The RTMP app is not <c>Relay:Ingest:App</c>.</summary>
    public const string WrongApp = "wrong_app";

    /// <summary>The channel already has a publisher.</summary>
    public const string AlreadyLive = "already_live";

    /// <summary>A bad key from an address that sent too many bad keys recently (its key checks are held back).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Evicted from the pending pool: a newer connection took the slot (this address, or the busiest one, held too many).</summary>
    public const string TooManyConnections = "too_many_connections";

    /// <summary>The channel started publishing too often in the last minute (<c>MaxPublishStartsPerChannelPerMinute</c>).</summary>
    public const string TooManyPublishes = "too_many_publishes";

    /// <summary>The client did not send its first byte in time, or did not complete handshake, connect and publish within the deadline.</summary>
    public const string HandshakeTimeout = "handshake_timeout";

    /// <summary>Not RTMP, or RTMP that breaks the protocol (bad version byte, bad chunks, media before publish...).</summary>
    public const string ProtocolError = "protocol_error";

    /// <summary>The authorizer failed (threw); the publish is refused rather than let through.</summary>
    public const string AuthError = "auth_error";

    /// <summary>
    /// A node of a cluster could not decide who owns the channel (Redis unreachable): refused rather than risk two
    /// nodes pushing the same destinations.
    /// </summary>
    public const string OwnershipUnavailable = "ownership_unavailable";
}
