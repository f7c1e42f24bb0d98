using Relay.Chat.Webhooks;

namespace Relay.Chat.Configuration;

/// <summary>The start-time check of a webhook signing secret (Orders:SigningSecret, Crm:SigningSecret): one line naming
/// the key, never the secret.</summary>
internal static class WebhookSecretRule
{
    public static void Check(List<string> errors, string key, string? secret)
    {
        if (secret is null) return;
        if (secret.Length == 0)
            errors.Add($"{key} must not be empty (unset it to send unsigned requests).");
        else if (WebhookSecret.TryParse(secret, out var problem) is null)
            errors.Add($"{key} {problem}.");
    }
}
