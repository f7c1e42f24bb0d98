namespace Relay.Chat.Identity;

/// <summary>The secret of the display ids (<see cref="DisplayIds"/>) when several nodes must compute the same ones. Unset on
/// the embedded default, where each process draws its own.</summary>
public interface IDisplayIdSecret
{
    /// <summary>At least 32 bytes, the same on every node; asked once, at the first display id.</summary>
    byte[] Secret();
}
