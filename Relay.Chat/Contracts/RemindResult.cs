using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>The answer of `RemindMe()`: the reminder for the announced next show is recorded.</summary>
[MessagePackObject]
public sealed class RemindResult
{
    [Key("reminded")] public bool Reminded { get; set; }
}
