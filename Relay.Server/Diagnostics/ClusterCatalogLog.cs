namespace Relay.Server.Diagnostics;

// Event ids 6100-6119: the channel catalog on PostgreSQL (store, change listener, start lock). Hosts only, never a
// connection string (it may carry a password).
internal static partial class ClusterCatalogLog
{
    [LoggerMessage(6100, LogLevel.Information, "PostgreSQL {Host}: module {Module} migrated from version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string host, string module, int from, int to);

    [LoggerMessage(6101, LogLevel.Information, "Listening for catalog changes on PostgreSQL {Host}; {Changed} channel(s) differed from memory and were applied")]
    public static partial void Listening(ILogger logger, string host, int changed);

    [LoggerMessage(6102, LogLevel.Warning, "Catalog change listener lost PostgreSQL {Host} ({Reason}); reconnecting in {DelayMs} ms")]
    public static partial void ListenerLost(ILogger logger, string host, string reason, long delayMs);

    [LoggerMessage(6103, LogLevel.Debug, "Channel {ChannelId} changed on another node: {Changes}")]
    public static partial void RemoteChange(ILogger logger, string channelId, string changes);

}
