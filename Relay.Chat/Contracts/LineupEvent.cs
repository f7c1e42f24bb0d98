using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>`lineup`: the host changed the show's products (the watch page's bag). Each node sends it to its own viewers
/// when it applies the catalog's change, so it carries no seq; a page that missed it has the line-up in its next snapshot.</summary>
[MessagePackObject]
public sealed class LineupEvent
{
    [Key("items")] public List<ProductView> Items { get; set; } = [];
}
