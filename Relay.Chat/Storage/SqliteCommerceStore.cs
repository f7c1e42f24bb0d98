namespace Relay.Chat.Storage;

/// <summary>Stock ledger, order outbox and order list over the embedded SQLite file: <see cref="CommerceStore"/> on
/// <see cref="ChatDatabase"/>, whose write transactions (BEGIN IMMEDIATE, one writer per process) already exclude
/// every other writer.</summary>
public sealed class SqliteCommerceStore(ChatDatabase database) : CommerceStore(database, Environment.MachineName);
