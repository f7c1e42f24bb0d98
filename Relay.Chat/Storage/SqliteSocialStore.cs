namespace Relay.Chat.Storage;

/// <summary>Followers, reminders and the CRM outbox in the embedded SQLite file (<see cref="SocialStore"/> on <see cref="ChatDatabase"/>).</summary>
public sealed class SqliteSocialStore(ChatDatabase database) : SocialStore(database, Environment.MachineName);
