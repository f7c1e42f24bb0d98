using System.Text;
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
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

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

internal sealed class ViewerAuthOptionsValidator : IValidateOptions<ViewerAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ViewerAuthOptions o)
    {
        var errors = new List<string>();
        const string s = ViewerAuthOptions.Section;
        // The key's value never goes into the message.
        if (o.ViewerJwtKey is { Length: > 0 } key && Encoding.UTF8.GetByteCount(key) < 32)
            errors.Add($"{s}:ViewerJwtKey must be at least 32 bytes of UTF-8 text.");
        foreach (var (field, value) in new[] { ("Issuer", o.ViewerJwt.Issuer), ("Audience", o.ViewerJwt.Audience) })
        {
            if (value is null || value.Length == 0) continue;
            if (string.IsNullOrWhiteSpace(value) || value.Trim() != value)
                errors.Add($"{s}:ViewerJwt:{field} must not be blank or have surrounding spaces.");
            else if (string.IsNullOrEmpty(o.ViewerJwtKey))
                errors.Add($"{s}:ViewerJwt:{field} is set but {s}:ViewerJwtKey is not: no viewer JWT is accepted without the key.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
