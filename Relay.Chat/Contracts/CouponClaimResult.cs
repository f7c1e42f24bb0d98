using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class CouponClaimResult
{
    /// <summary><see cref="CouponStatus"/>: `claimed`, `gone`, `expired`, `limit_exceeded`, `login_required`, `invalid`.</summary>
    [Key("status")] public string Status { get; set; } = "";
    [Key("reason")] public string? Reason { get; set; }
}
