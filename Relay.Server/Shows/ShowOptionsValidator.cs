using Microsoft.Extensions.Options;

namespace Relay.Server.Shows;

/// <summary>Checks <c>Relay:Shows</c> at start, one line per problem.</summary>
public sealed class ShowOptionsValidator : IValidateOptions<ShowOptions>
{
    public const int MaxMergeGapSeconds = 24 * 3600;

    public ValidateOptionsResult Validate(string? name, ShowOptions options)
    {
        var failures = new List<string>();
        if (options.MergeGapSeconds is < 0 or > MaxMergeGapSeconds)
        {
            failures.Add($"Relay:Shows:MergeGapSeconds: must be from 0 (every publish is a new show) to {MaxMergeGapSeconds} seconds");
        }
        if (options.SampleSeconds is < 1 or > 300)
        {
            failures.Add("Relay:Shows:SampleSeconds: must be from 1 to 300 seconds");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
