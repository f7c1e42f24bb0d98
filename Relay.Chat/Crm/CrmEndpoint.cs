using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Webhooks;

namespace Relay.Chat.Crm;

/// <summary>Where CRM events go, with which key and signing key (Relay:Crm, validated at start).</summary>
internal sealed class CrmEndpoint(IOptions<CrmOptions> options)
{
    private CrmOptions Settings => options.Value;

    public bool Enabled => Settings.Enabled;

    public WebhookRequest Request(CrmEventRecord e) => new(
        new Uri(Settings.Endpoint!), e.EventId, System.Text.Encoding.UTF8.GetBytes(e.Body),
        string.IsNullOrEmpty(Settings.ApiKey) ? null : Settings.ApiKey,
        Settings.SigningSecret is { Length: > 0 } secret ? WebhookSecret.TryParse(secret, out _) : null,
        TimeSpan.FromSeconds(Settings.TimeoutSeconds));

    public bool Signed => !string.IsNullOrEmpty(Settings.SigningSecret);

    /// <summary>For logs: no user info, no query (either may carry a credential).</summary>
    public string Redacted()
    {
        var uri = new Uri(Settings.Endpoint!);
        return $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
    }
}
