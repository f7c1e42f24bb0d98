namespace Relay.Chat.Storage.Postgres;

/// <summary>Followers, reminders and the CRM outbox in the cluster's PostgreSQL (<see cref="SocialStore"/> on
/// <see cref="PostgresChatDatabase"/>): the CRM outbox claimed FOR UPDATE SKIP LOCKED with leases naming <paramref name="node"/>.</summary>
public sealed class PostgresSocialStore(PostgresChatDatabase database, string node) : SocialStore(database, node);
