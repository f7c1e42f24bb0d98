using Microsoft.Extensions.Options;

namespace Relay.Ingest.Consumers.HttpFlv;

public sealed class PlaybackOptionsValidator : IValidateOptions<PlaybackOptions>
{
    public ValidateOptionsResult Validate(string? name, PlaybackOptions options) =>
        options.MaxViewersPerChannel is >= 1 and <= 1_000_000
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{PlaybackOptions.SectionName}:MaxViewersPerChannel must be 1-1000000 (got {options.MaxViewersPerChannel})");
}
