namespace Relay.Chat.Storage;

/// <summary>Share codes and visits in the embedded SQLite file (<see cref="ReferralStore"/>).</summary>
public sealed class SqliteReferralStore(ChatDatabase database) : ReferralStore(database);
