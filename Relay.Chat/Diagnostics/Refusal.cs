using Microsoft.AspNetCore.SignalR;

namespace Relay.Chat.Diagnostics;

/// <summary>Refusals the client can act on: the message starts with a reason token, then a human hint.</summary>
internal static class Refusal
{
    public const string NotJoined = "not_joined";
    public const string Forbidden = "forbidden";
    public const string Unauthorized = "unauthorized";
    public const string Invalid = "invalid";
    public const string NotFound = "not_found";
    public const string TooLong = "too_long";
    public const string RateLimited = "rate_limited";
    public const string Muted = "muted";
    public const string BannedTerm = "banned_term";
    public const string SlowMode = "slow_mode";
    public const string LoginRequired = "login_required";
    public const string Internal = "internal_error";

    public static HubException Create(string reason, string detail)
    {
        ChatMetrics.ChatRejected.WithLabels(reason).Inc();
        return new HubException($"{reason}: {detail}");
    }

    public static string WaitHint(TimeSpan wait) => $"wait {Seconds(wait)} s";

    /// <summary>Whole seconds, rounded up and at least 1, so "wait 0 s" is never said.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
