namespace Relay.Ingest.Ffmpeg;

/// <summary>How an ffmpeg child ended.</summary>
public enum FfmpegExitOutcome
{
    /// <summary>Exit code 0.</summary>
    Clean,

    /// <summary>Non-zero exit code ffmpeg chose itself (input ended badly, output failed...).</summary>
    Error,

    /// <summary>Relay killed it (staged stop ran out of patience, or shutdown), or a signal did.</summary>
    Killed,
}
