using Microsoft.Extensions.Options;

namespace Relay.Server.Limits;

public sealed class LoadLimitsOptionsValidator : IValidateOptions<LoadLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LoadLimitsOptions options)
    {
        var errors = new List<string>();
        const string p = LoadLimitsOptions.Section;
        Range(options.HubConnectionsPerIp, nameof(options.HubConnectionsPerIp), 1_000_000);
        Range(options.HubConnections, nameof(options.HubConnections), 10_000_000);
        Range(options.FlvViewersPerIp, nameof(options.FlvViewersPerIp), 1_000_000);
        Range(options.FlvViewers, nameof(options.FlvViewers), 10_000_000);
        Range(options.RestRequestsPerSecondPerIp, nameof(options.RestRequestsPerSecondPerIp), 1_000_000);
        Range(options.RestBurstPerIp, nameof(options.RestBurstPerIp), 1_000_000);
        if (options.HubConnectionsPerIp > options.HubConnections)
        {
            errors.Add($"{p}:HubConnectionsPerIp ({options.HubConnectionsPerIp}) must not exceed {p}:HubConnections ({options.HubConnections})");
        }
        if (options.FlvViewersPerIp > options.FlvViewers)
        {
            errors.Add($"{p}:FlvViewersPerIp ({options.FlvViewersPerIp}) must not exceed {p}:FlvViewers ({options.FlvViewers})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Range(double value, string key, double max)
        {
            if (!(value >= 1) || value > max)
            {
                errors.Add($"{p}:{key} must be at least 1 and at most {max} (got {value})");
            }
        }
    }
}
