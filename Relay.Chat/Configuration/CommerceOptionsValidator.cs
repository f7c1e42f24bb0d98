using Microsoft.Extensions.Options;

namespace Relay.Chat.Configuration;

// Each validator collects every problem so one start shows them all, each naming its full key.

internal sealed class CommerceOptionsValidator : IValidateOptions<CommerceOptions>
{
    public ValidateOptionsResult Validate(string? name, CommerceOptions o)
    {
        var errors = new List<string>();
        ChatOptionsValidator.Range(errors, $"{CommerceOptions.Section}:MaxQuantityPerOrder", o.MaxQuantityPerOrder, 1, 10_000);
        ChatOptionsValidator.Range(errors, $"{CommerceOptions.Section}:MaxUnitsPerBuyerPerSale", o.MaxUnitsPerBuyerPerSale, 1, 1_000_000);
        ChatOptionsValidator.Range(errors, $"{CommerceOptions.Section}:MaxUnitsPerBuyerPerSku", o.MaxUnitsPerBuyerPerSku, 1, 1_000_000);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
