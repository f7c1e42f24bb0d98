namespace Relay.Chat.Storage.Postgres;

/// <summary>The built-in order API's table in the cluster's PostgreSQL (<see cref="BuiltInOrderStore"/>): one for every
/// node, so an order delivered twice by two nodes is taken once.</summary>
public sealed class PostgresBuiltInOrderStore(PostgresChatDatabase database) : BuiltInOrderStore(database);
