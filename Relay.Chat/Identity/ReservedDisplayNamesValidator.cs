using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;

namespace Relay.Chat.Identity;

/// <summary>
/// The reserved-name rule needs the name skeleton, which is Identity's; it lives here so Configuration stays a leaf
/// folder that knows no feature.
/// </summary>
internal sealed class ReservedDisplayNamesValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions o) =>
        // A term that is only punctuation or marks would have no letters left to compare and reserve every name.
        o.ReservedDisplayNames.Any(n => DisplayNames.Skeleton(n ?? "").Length == 0)
            ? ValidateOptionsResult.Fail($"{ChatOptions.Section}:ReservedDisplayNames must contain words with letters or digits.")
            : ValidateOptionsResult.Success;
}
