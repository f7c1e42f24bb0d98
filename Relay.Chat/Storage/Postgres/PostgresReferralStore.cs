namespace Relay.Chat.Storage.Postgres;

/// <summary>Share codes and visits in the cluster's PostgreSQL (<see cref="ReferralStore"/>): every node derives the
/// same codes from the one secret and counts a visit once whichever node took the Join.</summary>
public sealed class PostgresReferralStore(PostgresChatDatabase database) : ReferralStore(database);
