using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class ChatMessageView
{
    [Key("id")] public string Id { get; set; } = "";
    /// <summary>The sender's display id in this room (`p_` + 16 hex; `host_{channel}` or `admin` for moderators), never a shop id.</summary>
    [Key("userId")] public string UserId { get; set; } = "";
    [Key("displayName")] public string DisplayName { get; set; } = "";
    [Key("text")] public string Text { get; set; } = "";
    /// <summary>Server time, UTC.</summary>
    [Key("at")] public DateTime At { get; set; }
    /// <summary>`guest`, `viewer`, `host` or `admin`: display names are free text, so a UI badges hosts by this.</summary>
    [Key("role")] public string Role { get; set; } = "";
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
}
