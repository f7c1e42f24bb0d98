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

/// <summary>What the API and the studio show for one destination.</summary>
public sealed record EgressDestinationStatus(
    string DestinationId,
    EgressState State,
    int Reconnects,
    string? LastError,
    double BitrateKbps,
    long DroppedFrames,
    IReadOnlyList<string> Warnings)
{
    public static EgressDestinationStatus Unknown(string destinationId) =>
        new(destinationId, EgressState.Idle, 0, null, 0, 0, []);

    /// <summary>Lower-case state name as the REST contract spells it.</summary>
    public string StateName => State.ToString().ToLowerInvariant();
}
