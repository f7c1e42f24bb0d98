namespace Relay.Ingest.Egress;

/// <summary>The states of the public contract (CONTRACT.md, destinations).</summary>
public enum EgressState
{
    /// <summary>The channel is offline (or the destination is not running for another benign reason).</summary>
    Idle,
    Connecting,
    Live,
    Retrying,

    /// <summary>Too many failures in a row; stays so until the destination is edited or re-enabled.</summary>
    Failed,
    Disabled,
}
