namespace Relay.Chat.Channels;

/// <summary>
/// Implemented by the server next to <see cref="IChannelDirectory"/>: what the live room and the order endpoints
/// need to know about credentials beyond "is this the key": whether a host's key is still the current one after
/// the connection joined, and whether a presented token is a credential at all (401) or just not for here (403).
/// </summary>
public interface IHostCredentials
{
    /// <summary>
    /// A number that changes whenever the channel's host key changes (rotation, deletion, re-creation under the same
    /// id); null when there is no such channel. Read it before checking the key, so it can only be older than the key.
    /// </summary>
    long? HostKeyGeneration(string channelId);

    /// <summary>Whether the token is the admin token or the host key of any channel.</summary>
    bool IsKnownCredential(string token);
}
