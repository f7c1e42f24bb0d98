namespace Relay.Chat.Storage.Postgres;

/// <summary>Dead letters of the cluster's outbox (<see cref="DeadLetterStore"/> on <see cref="PostgresChatDatabase"/>).</summary>
public sealed class PostgresDeadLetters(PostgresChatDatabase database) : DeadLetterStore(database);
