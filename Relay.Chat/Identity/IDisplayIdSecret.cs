namespace Relay.Chat.Identity;

/// <summary>
/// The secret display ids are derived with (see <see cref="DisplayIds"/>), when the host shares one between processes:
/// on several nodes a person must show under one id in a room, and a mute by display id must hold on every node.
/// Without it each process draws its own.
/// </summary>
public interface IDisplayIdSecret
{
    /// <summary>32 random bytes, the same on every node.</summary>
    byte[] Secret { get; }
}
