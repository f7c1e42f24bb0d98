using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class DrawWinnerView
{
    /// <summary>The room's display id of the winner (the id messages show).</summary>
    [Key("userId")] public string UserId { get; set; } = "";
    [Key("displayName")] public string DisplayName { get; set; } = "";
}
