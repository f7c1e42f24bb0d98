using Microsoft.Extensions.Options;

namespace Relay.Chat.Configuration;

// Each validator collects every problem so one start shows them all, each naming its full key.

internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions o)
    {
        var errors = new List<string>();
        const string s = ChatOptions.Section;
        Range(errors, $"{s}:MaxMessageLength", o.MaxMessageLength, 1, 4000);
        Range(errors, $"{s}:RateLimitMessages", o.RateLimitMessages, 1, 1000);
        if (!(o.RateLimitWindowSeconds > 0 && o.RateLimitWindowSeconds <= 3600))
            errors.Add($"{s}:RateLimitWindowSeconds must be in (0, 3600], was {o.RateLimitWindowSeconds}.");
        Range(errors, $"{s}:RecentMessages", o.RecentMessages, 0, 1000);
        Range(errors, $"{s}:ResumeEvents", o.ResumeEvents, 0, 100_000);
        Range(errors, $"{s}:MaxReceiveMessageBytes", o.MaxReceiveMessageBytes, 1024, 1024 * 1024);
        Range(errors, $"{s}:ViewerCountDebounceMilliseconds", o.ViewerCountDebounceMilliseconds, 10, 60_000);
        Range(errors, $"{s}:MaxMuteSeconds", o.MaxMuteSeconds, 1, 30 * 24 * 3600);
        Range(errors, $"{s}:MaxSlowModeSeconds", o.MaxSlowModeSeconds, 1, 24 * 3600);
        Range(errors, $"{s}:MaxFlashSaleSeconds", o.MaxFlashSaleSeconds, 1, 7 * 24 * 3600);
        Range(errors, $"{s}:MaxCallsPerSecond", o.MaxCallsPerSecond, 1, 10_000);
        Range(errors, $"{s}:MaxDisplayNameLength", o.MaxDisplayNameLength, 1, 200);
        if (o.BannedTerms.Any(string.IsNullOrWhiteSpace))
            errors.Add($"{s}:BannedTerms must not contain empty terms.");
        if (!(o.RoomMessagesPerSecond > 0 && o.RoomMessagesPerSecond <= 100_000))
            errors.Add($"{s}:RoomMessagesPerSecond must be in (0, 100000], was {o.RoomMessagesPerSecond}.");
        Range(errors, $"{s}:RoomMessageBurst", o.RoomMessageBurst, 1, 1_000_000);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void Range(List<string> errors, string key, long value, long min, long max)
    {
        if (value < min || value > max) errors.Add($"{key} must be between {min} and {max}, was {value}.");
    }
}
