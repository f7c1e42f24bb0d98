using Microsoft.Extensions.Options;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>Settings under <c>Relay:Recording</c>.</summary>
public sealed class RecordingOptions
{
    public const string SectionName = "Relay:Recording";

    /// <summary>Record every live session to <c>{DataDir}/recordings/{channelId}/</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Recordings last written longer ago than this are deleted (checked at start and hourly). 0 keeps them forever.</summary>
    public double RetentionDays { get; set; } = 30;

    /// <summary>
    /// Free space that must stay on the disk of the recordings folder and on the disk of the data directory (the
    /// SQLite database with the order outbox): below it a recording does not start, and running recordings stop.
    /// Live streaming, HLS and orders go on. 0 turns the guard off.
    /// </summary>
    public long MinFreeBytes { get; set; } = 1L << 30;
}

public sealed class RecordingOptionsValidator : IValidateOptions<RecordingOptions>
{
    public ValidateOptionsResult Validate(string? name, RecordingOptions options)
    {
        var errors = new List<string>();
        const string p = RecordingOptions.SectionName;
        if (!(options.RetentionDays >= 0 && options.RetentionDays <= 36_500))
        {
            errors.Add($"{p}:RetentionDays must be 0 (keep forever) to 36500 (got {options.RetentionDays})");
        }

        if (options.MinFreeBytes < 0)
        {
            errors.Add($"{p}:MinFreeBytes must be 0 (no guard) or more (got {options.MinFreeBytes})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
