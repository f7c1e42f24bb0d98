using Microsoft.Extensions.Options;

namespace Relay.Ingest.Consumers.Recording;

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
