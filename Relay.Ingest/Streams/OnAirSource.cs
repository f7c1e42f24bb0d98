namespace Relay.Ingest.Streams;

/// <summary>
/// What a live channel's output carries now, the <c>to</c> label of <c>relay_ingest_failovers_total</c> and the
/// <c>onAir</c> field of the ingest status: a small closed set (docs/metrics.md).
/// </summary>
public static class OnAirSource
{
    public const string Primary = "primary";
    public const string Backup = "backup";
    public const string Slate = "slate";

    public static IReadOnlyList<string> All { get; } = [Primary, Backup, Slate];

    public static string Of(IngestInput input) => input == IngestInput.Backup ? Backup : Primary;
}
