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

/// <summary>How one push attempt ended, with an operator-readable reason that never contains a key.</summary>
public sealed record EgressOutcome(EgressStage Stage, string Error)
{
    public static readonly EgressOutcome Ended = new(EgressStage.SourceEnded, "channel ended");
    public static readonly EgressOutcome Canceled = new(EgressStage.Canceled, "stopped");

    public bool IsFailure => Stage is not (EgressStage.SourceEnded or EgressStage.Canceled);

    public override string ToString() => $"{Stage}: {Error}";
}
