using System.Text;

namespace Relay.Chat.Webhooks;

/// <summary>
/// A signing secret of the Standard Webhooks scheme: <c>whsec_&lt;base64&gt;</c> (the base64 part is the key, as the
/// specification says) or plain text (its UTF-8 bytes). The key is never logged or answered.
/// </summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    /// <summary>The least key length accepted (the specification's keys are 24 to 64 bytes).</summary>
    public const int MinBytes = 24;

    /// <summary>The HMAC key, or null with the reason (which never repeats the secret).</summary>
    public static byte[]? TryParse(string secret, out string? problem)
    {
        problem = null;
        byte[] key;
        if (secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            try
            {
                key = Convert.FromBase64String(secret[Prefix.Length..]);
            }
            catch (FormatException)
            {
                problem = $"starts with {Prefix} but the rest is not base64";
                return null;
            }
        }
        else
        {
            key = Encoding.UTF8.GetBytes(secret);
        }
        if (key.Length < MinBytes)
        {
            problem = $"must be at least {MinBytes} bytes (a {Prefix}<base64> key or plain text), was {key.Length}";
            return null;
        }
        return key;
    }
}
