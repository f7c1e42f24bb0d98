using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class JoinOptions
{
    [Key("displayName")] public string? DisplayName { get; set; }
    [Key("referrer")] public string? Referrer { get; set; }
}
