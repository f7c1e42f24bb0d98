using Microsoft.Extensions.Options;

namespace Relay.Chat.Configuration;

// Each validator collects every problem so one start shows them all, each naming its full key.

internal sealed class OrdersOptionsValidator : IValidateOptions<OrdersOptions>
{
    public ValidateOptionsResult Validate(string? name, OrdersOptions o)
    {
        var errors = new List<string>();
        const string s = OrdersOptions.Section;
        if (!string.IsNullOrWhiteSpace(o.Endpoint))
        {
            // The URL itself is never echoed: its user info or query may carry a credential.
            if (!(Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
                errors.Add($"{s}:Endpoint must be an absolute http(s) URL.");
            else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !o.AllowInsecureHttp)
                // One line at start: Program splits failures on "; ", so none here.
                errors.Add($"{s}:Endpoint must be https:// unless its host is loopback, as http:// sends {s}:ApiKey and buyers' orders in clear (set {s}:AllowInsecureHttp=true to accept it on a trusted network).");
        }
        ChatOptionsValidator.Range(errors, $"{s}:MaxAttempts", o.MaxAttempts, 1, 1000);
        if (!(o.TimeoutSeconds > 0 && o.TimeoutSeconds <= 300))
            errors.Add($"{s}:TimeoutSeconds must be in (0, 300], was {o.TimeoutSeconds}.");
        ChatOptionsValidator.Range(errors, $"{s}:InitialBackoffMilliseconds", o.InitialBackoffMilliseconds, 1, 600_000);
        if (!(o.MaxBackoffSeconds > 0 && o.MaxBackoffSeconds <= 24 * 3600))
            errors.Add($"{s}:MaxBackoffSeconds must be in (0, 86400], was {o.MaxBackoffSeconds}.");
        ChatOptionsValidator.Range(errors, $"{s}:DispatchParallelism", o.DispatchParallelism, 1, 256);
        ChatOptionsValidator.Range(errors, $"{s}:PollIntervalMilliseconds", o.PollIntervalMilliseconds, 10, 600_000);
        if (o.ApiKey is { Length: > 0 } key && key.Any(char.IsControl))
            errors.Add($"{s}:ApiKey must be printable text (or empty/unset for none).");
        WebhookSecretRule.Check(errors, $"{s}:SigningSecret", o.SigningSecret);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
