using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>`EnterDraw()`'s answer: <see cref="DrawEntryStatus"/>, and why when it is not <c>entered</c>.</summary>
[MessagePackObject]
public sealed class DrawEntryResult
{
    [Key("status")] public string Status { get; set; } = "";
    [Key("reason")] public string? Reason { get; set; }
}
