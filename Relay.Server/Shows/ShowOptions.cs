namespace Relay.Server.Shows;

/// <summary><c>Relay:Shows</c>: how live sessions become shows and how often a show's time line is sampled.</summary>
public sealed class ShowOptions
{
    public const string Section = "Relay:Shows";

    /// <summary>A publish that starts less than this many seconds after the last one ended continues that show (OBS
    /// reconnecting, a crashed encoder restarted): a brand thinks of it as one show.</summary>
    public int MergeGapSeconds { get; set; } = 120;

    /// <summary>One point of the time line every this many seconds while live.</summary>
    public int SampleSeconds { get; set; } = 10;
}
