namespace Relay.Chat.Storage;

/// <summary>Dead letters of the embedded outbox (<see cref="DeadLetterStore"/> on <see cref="ChatDatabase"/>).</summary>
public sealed class SqliteDeadLetters(ChatDatabase database) : DeadLetterStore(database);
