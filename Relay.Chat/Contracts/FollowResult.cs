using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>The answer of `Follow()` and `Unfollow()`.</summary>
[MessagePackObject]
public sealed class FollowResult
{
    [Key("following")] public bool Following { get; set; }
}
