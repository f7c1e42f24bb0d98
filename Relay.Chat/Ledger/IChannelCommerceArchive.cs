namespace Relay.Chat.Ledger;

/// <summary>
/// Called when a channel is deleted: its orders, idempotency keys and flash sales move under an archive id and its
/// line-up stock rows go, so a channel created again under the same id starts with none of them (no old buyers in its
/// order list, no old counts in its stock, no old keys answering "duplicate"). Orders still pending keep going to the
/// order API under their original channel id (<see cref="ArchivedChannelId.Original"/>).
/// </summary>
public interface IChannelCommerceArchive
{
    /// <summary>Returns the archive id the channel's rows now live under.</summary>
    Task<string> ArchiveChannelAsync(string channelId, DateTimeOffset deletedAt, CancellationToken cancellationToken);
}
