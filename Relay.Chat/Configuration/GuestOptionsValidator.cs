using Microsoft.Extensions.Options;

namespace Relay.Chat.Configuration;

// Each validator collects every problem so one start shows them all, each naming its full key.

internal sealed class GuestOptionsValidator : IValidateOptions<GuestOptions>
{
    public ValidateOptionsResult Validate(string? name, GuestOptions o)
    {
        var errors = new List<string>();
        const string s = GuestOptions.Section;
        ChatOptionsValidator.Range(errors, $"{s}:TokenLifetimeDays", o.TokenLifetimeDays, 1, 365);
        ChatOptionsValidator.Range(errors, $"{s}:MintBurstPerAddress", o.MintBurstPerAddress, 1, 100_000);
        ChatOptionsValidator.Range(errors, $"{s}:MintsPerMinutePerAddress", o.MintsPerMinutePerAddress, 1, 60_000);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
