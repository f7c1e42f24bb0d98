using System.Net;
using Microsoft.Extensions.Options;

namespace Relay.Server.Limits;

public sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var errors = new List<string>();
        const string p = TrustedProxyOptions.Section;
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"{p}:KnownProxies:{i}: '{options.KnownProxies[i]}' is not an IP address");
            }
        }
        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                errors.Add($"{p}:KnownNetworks:{i}: '{options.KnownNetworks[i]}' is not a network in CIDR form (e.g. 10.0.0.0/8)");
            }
        }
        if (options.ForwardLimit is < 1 or > 10)
        {
            errors.Add($"{p}:ForwardLimit must be 1-10 (got {options.ForwardLimit})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
