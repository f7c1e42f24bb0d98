namespace Relay.Chat.Storage;

/// <summary>The built-in order API's table in the embedded SQLite file (<see cref="BuiltInOrderStore"/>).</summary>
public sealed class SqliteBuiltInOrderStore(ChatDatabase database) : BuiltInOrderStore(database);
