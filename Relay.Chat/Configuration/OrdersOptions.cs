namespace Relay.Chat.Configuration;

/// <summary>`Relay:Orders`: where reserved orders are delivered and how hard we try.</summary>
public sealed class OrdersOptions
{
    public const string Section = "Relay:Orders";

    /// <summary>Absolute URL of the brand's order API. Unset = the built-in order API of this process.</summary>
    public string? Endpoint { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Signs every request the Standard Webhooks way when set: <c>whsec_&lt;base64&gt;</c> or plain text, at least
    /// 24 bytes. Never logged.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Accept an `http://` Endpoint on a non-loopback host, which sends ApiKey and buyers' orders in clear.
    /// Off by default: only for a private network the operator vouches for.</summary>
    public bool AllowInsecureHttp { get; set; }

    public int MaxAttempts { get; set; } = 8;

    public double TimeoutSeconds { get; set; } = 10;

    public int InitialBackoffMilliseconds { get; set; } = 500;

    public double MaxBackoffSeconds { get; set; } = 60;

    /// <summary>How many orders are in flight to the order API at once.</summary>
    public int DispatchParallelism { get; set; } = 16;

    /// <summary>Safety net poll when nothing signals new work (e.g. another node wrote the outbox).</summary>
    public int PollIntervalMilliseconds { get; set; } = 2000;
}
