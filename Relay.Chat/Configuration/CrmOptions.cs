namespace Relay.Chat.Configuration;

/// <summary>`Relay:Crm`: the brand's CRM webhook, told of first follows and reminders (CONTRACT.md v2). Unset Endpoint =
/// follows and reminders still work and no CRM event is queued.</summary>
public sealed class CrmOptions
{
    public const string Section = "Relay:Crm";

    /// <summary>Absolute URL the events are posted to. Unset = no CRM.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Signs every request the Standard Webhooks way when set (as Orders:SigningSecret).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Accept an `http://` Endpoint on a non-loopback host (buyers' names in clear). Off by default.</summary>
    public bool AllowInsecureHttp { get; set; }

    public int MaxAttempts { get; set; } = 8;

    public double TimeoutSeconds { get; set; } = 10;

    public int InitialBackoffMilliseconds { get; set; } = 500;

    public double MaxBackoffSeconds { get; set; } = 60;

    /// <summary>Safety net poll when nothing signals new work (e.g. another node wrote the outbox).</summary>
    public int PollIntervalMilliseconds { get; set; } = 2000;

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}
