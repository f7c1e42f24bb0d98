using Microsoft.Extensions.Options;

namespace Relay.Ingest.Egress;

/// <summary>Collects every problem at once so one start shows them all, each naming its key.</summary>
public sealed class EgressOptionsValidator : IValidateOptions<EgressOptions>
{
    public ValidateOptionsResult Validate(string? name, EgressOptions options)
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string problem)
        {
            if (!ok) errors.Add($"{EgressOptions.SectionName}:{key} {problem}");
        }

        Require(options.QueueCapacity is >= 16 and <= 100_000, nameof(options.QueueCapacity), "must be between 16 and 100000 frames");
        Require(options.BackoffBaseSeconds is > 0 and <= 600, nameof(options.BackoffBaseSeconds), "must be > 0 and <= 600");
        Require(options.BackoffCapSeconds >= options.BackoffBaseSeconds && options.BackoffCapSeconds <= 3600, nameof(options.BackoffCapSeconds), "must be >= BackoffBaseSeconds and <= 3600");
        Require(options.HealthyPeriodSeconds is > 0 and <= 3600, nameof(options.HealthyPeriodSeconds), "must be > 0 and <= 3600");
        Require(options.FailuresBeforeFailed is >= 1 and <= 10_000, nameof(options.FailuresBeforeFailed), "must be between 1 and 10000");
        Require(options.StallTimeoutSeconds is >= 0.1 and <= 600, nameof(options.StallTimeoutSeconds), "must be between 0.1 and 600");
        Require(options.SetupTimeoutSeconds is >= 0.1 and <= 600, nameof(options.SetupTimeoutSeconds), "must be between 0.1 and 600");
        Require(options.ChunkSize is >= 128 and <= 65536, nameof(options.ChunkSize), "must be between 128 and 65536");
        Require(options.AckWindowBytes is >= 4096 and <= 100_000_000, nameof(options.AckWindowBytes), "must be between 4096 and 100000000");
        Require(options.MaxTranscodesPerChannel is >= 0 and <= 32, nameof(options.MaxTranscodesPerChannel), "must be between 0 (no transcoding) and 32");
        Require(options.MaxTranscodes is >= 0 and <= 10_000, nameof(options.MaxTranscodes), "must be between 0 (one per CPU core) and 10000");
        Require(options.TrustedCaCertificatesPath is null || File.Exists(options.TrustedCaCertificatesPath), nameof(options.TrustedCaCertificatesPath), "names a file that does not exist");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
