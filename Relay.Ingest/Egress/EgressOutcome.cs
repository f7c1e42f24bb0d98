namespace Relay.Ingest.Egress;

/// <summary>How one push attempt ended, with an operator-readable reason that never contains a key.</summary>
public sealed record EgressOutcome(EgressStage Stage, string Error)
{
    public static readonly EgressOutcome Ended = new(EgressStage.SourceEnded, "channel ended");
    public static readonly EgressOutcome Canceled = new(EgressStage.Canceled, "stopped");

    public bool IsFailure => Stage is not (EgressStage.SourceEnded or EgressStage.Canceled);

    public override string ToString() => $"{Stage}: {Error}";
}
