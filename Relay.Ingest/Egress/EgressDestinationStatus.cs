namespace Relay.Ingest.Egress;

/// <summary>What the API and the studio show for one destination.</summary>
public sealed record EgressDestinationStatus(
    string DestinationId,
    EgressState State,
    int Reconnects,
    string? LastError,
    double BitrateKbps,
    long DroppedFrames,
    IReadOnlyList<string> Warnings,
    double? LiveSeconds = null)
{
    public static EgressDestinationStatus Unknown(string destinationId) =>
        new(destinationId, EgressState.Idle, 0, null, 0, 0, []);

    /// <summary>Lower-case state name as the REST contract spells it.</summary>
    public string StateName => State.ToString().ToLowerInvariant();
}
