using Microsoft.Extensions.Options;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>Collects every problem in <see cref="HlsOptions"/> so one start reports them all.</summary>
public sealed class HlsOptionsValidator : IValidateOptions<HlsOptions>
{
    public ValidateOptionsResult Validate(string? name, HlsOptions options)
    {
        var errors = new List<string>();
        const string p = HlsOptions.SectionName;
        if (!(options.SegmentSeconds >= 0.5 && options.SegmentSeconds <= 30))
        {
            errors.Add($"{p}:SegmentSeconds must be 0.5-30 (got {options.SegmentSeconds})");
        }

        if (options.PlaylistSize is < 3 or > 100)
        {
            errors.Add($"{p}:PlaylistSize must be 3-100 (got {options.PlaylistSize})");
        }

        if (!(options.PlaylistWaitSeconds >= 0 && options.PlaylistWaitSeconds <= 60))
        {
            errors.Add($"{p}:PlaylistWaitSeconds must be 0-60 (got {options.PlaylistWaitSeconds})");
        }

        if (!(options.MaxRestartDelaySeconds >= 0.5 && options.MaxRestartDelaySeconds <= 600))
        {
            errors.Add($"{p}:MaxRestartDelaySeconds must be 0.5-600 (got {options.MaxRestartDelaySeconds})");
        }

        if (!(options.PartSeconds >= 0.1 && options.PartSeconds <= 2 && options.PartSeconds < options.SegmentSeconds))
        {
            errors.Add($"{p}:PartSeconds must be 0.1-2 and shorter than SegmentSeconds (got {options.PartSeconds})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
