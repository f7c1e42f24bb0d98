namespace Relay.Ingest.Egress;

/// <summary>The stage at which a push attempt ended; maps to the destination's state and lastError.</summary>
public enum EgressStage
{
    /// <summary>The channel ended (the feed completed): not a failure.</summary>
    SourceEnded,

    /// <summary>We stopped it (edit, disable, remove, shutdown): not a failure.</summary>
    Canceled,
    InvalidTarget,
    Resolve,
    Connect,
    Tls,
    Handshake,
    ConnectCommand,
    CreateStream,

    /// <summary>The server refused the publish (BadName, Rejected, Unauthorized): authentication failed.</summary>
    Publish,
    Send,
    Stalled,
    ClosedByPeer,
    Process,
}
