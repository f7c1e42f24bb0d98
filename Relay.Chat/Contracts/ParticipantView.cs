using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class ParticipantView
{
    /// <summary>The caller's display id in this room (see Identity.DisplayIds): what its messages carry and what `Mute` takes.</summary>
    [Key("userId")] public string UserId { get; set; } = "";
    [Key("displayName")] public string DisplayName { get; set; } = "";
    /// <summary>`guest`, `viewer`, `host` or `admin`.</summary>
    [Key("role")] public string Role { get; set; } = "";
    /// <summary>Whether a signed-in viewer follows the channel; null for a guest, host or admin. Last, so every earlier
    /// byte stays as it was (LiveHubWireBytesTests).</summary>
    [Key("following")] public bool? Following { get; set; }
    /// <summary>The caller's share code (v2): `/watch/{id}?ref={shareCode}` counts visits and orders for them. Null for
    /// hosts, admins and guests without a guest token.</summary>
    [Key("shareCode")] public string? ShareCode { get; set; }
}
