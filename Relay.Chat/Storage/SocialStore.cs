using Relay.Chat.Crm;
using Relay.Chat.Orders;
using Relay.Chat.Social;

namespace Relay.Chat.Storage;

/// <summary>
/// Followers, reminders and the CRM outbox, written once for both engines (<see cref="SqliteSocialStore"/>,
/// <see cref="Postgres.PostgresSocialStore"/>). A follow and its CRM event, or a reminder and its CRM event, are one
/// transaction; the outbox is claimed as the order outbox is (<see cref="CommerceStore.ClaimDueAsync"/>).
/// </summary>
public abstract class SocialStore : IFollowers, ICrmOutbox
{
    private readonly ICommerceDatabase _database;
    private readonly CommerceDialect _dialect;
    private readonly string _node;

    private protected SocialStore(ICommerceDatabase database, string node)
    {
        _database = database;
        _dialect = database.Dialect;
        _node = node;
    }

    private static SqlCall Enqueue(CrmEventWrite e, long now) => new(
        $"""
        INSERT INTO crm_events (event_id, event, channel_id, body, status, attempts, next_attempt_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, '{CrmEventStatus.Pending}', 0, $5, $5, $5) ON CONFLICT (event_id) DO NOTHING;
        """,
        e.EventId, e.Event, e.ChannelId, e.Body, now);

    public Task<FollowOutcome> FollowAsync(FollowWrite f, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            var at = f.At.ToUnixTimeMilliseconds();
            // The row stays after an unfollow, so an insert that happens is the first follow ever, on every node.
            var inserted = await s.QueryAsync(
                """
                INSERT INTO social_followers (channel_id, buyer_id, buyer_name, referrer, following, followed_at, first_followed_at)
                VALUES ($1, $2, $3, $4, 1, $5, $5) ON CONFLICT (channel_id, buyer_id) DO NOTHING RETURNING buyer_id;
                """,
                cancellationToken, f.ChannelId, f.BuyerId, f.BuyerName, f.Referrer, at);
            if (inserted.Count > 0)
            {
                if (f.Crm is { } crm) await s.RunAsync([Enqueue(crm, at)], cancellationToken);
                return new FollowOutcome(true, true);
            }
            var changed = await s.ExecuteAsync(
                "UPDATE social_followers SET following = 1, followed_at = $1, buyer_name = $2, referrer = $3 WHERE channel_id = $4 AND buyer_id = $5 AND following = 0;",
                cancellationToken, at, f.BuyerName, f.Referrer, f.ChannelId, f.BuyerId);
            return new FollowOutcome(changed == 1, false);
        }, cancellationToken);

    public Task<bool> UnfollowAsync(string channelId, string buyerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s => await s.ExecuteAsync(
            "UPDATE social_followers SET following = 0 WHERE channel_id = $1 AND buyer_id = $2 AND following = 1;",
            cancellationToken, channelId, buyerId) == 1, cancellationToken);

    public Task<bool> RemindAsync(string channelId, string buyerId, DateTimeOffset nextShowAt, DateTimeOffset at, CrmEventWrite? crm, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            var now = at.ToUnixTimeMilliseconds();
            var inserted = await s.QueryAsync(
                """
                INSERT INTO social_reminders (channel_id, buyer_id, next_show_at, reminded_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (channel_id, buyer_id, next_show_at) DO NOTHING RETURNING buyer_id;
                """,
                cancellationToken, channelId, buyerId, nextShowAt.ToUnixTimeSeconds(), now);
            if (inserted.Count == 0) return false;
            if (crm is not null) await s.RunAsync([Enqueue(crm, now)], cancellationToken);
            return true;
        }, cancellationToken);

    public Task<bool> IsFollowingAsync(string channelId, string buyerId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => await s.ScalarAsync(
            "SELECT following FROM social_followers WHERE channel_id = $1 AND buyer_id = $2;", cancellationToken, channelId, buyerId) is { } f
            && SqlValue.Int(f) == 1, cancellationToken);

    private const string FollowerColumns = "buyer_id, buyer_name, followed_at, referrer, first_followed_at";

    private static FollowerRecord ReadFollower(object?[] r) => new(
        (string)r[0]!, (string)r[1]!, DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[2])), SqlValue.Text(r[3]),
        DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[4])));

    public Task<IReadOnlyList<FollowerRecord>> ListAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<FollowerRecord>>(async s =>
            (after is null
                ? await s.QueryAsync(
                    $"SELECT {FollowerColumns} FROM social_followers WHERE channel_id = $1 AND following = 1 ORDER BY followed_at, buyer_id LIMIT $2;",
                    cancellationToken, channelId, max)
                : await s.QueryAsync(
                    $"""
                    SELECT {FollowerColumns} FROM social_followers
                    WHERE channel_id = $1 AND following = 1 AND (followed_at > $2 OR (followed_at = $2 AND buyer_id > $3))
                    ORDER BY followed_at, buyer_id LIMIT $4;
                    """,
                    cancellationToken, channelId, after.At, after.Id, max))
            .Select(ReadFollower).ToList(), cancellationToken);

    public Task<int> CountAsync(string channelId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => SqlValue.Int(await s.ScalarAsync(
            "SELECT COUNT(*) FROM social_followers WHERE channel_id = $1 AND following = 1;", cancellationToken, channelId)), cancellationToken);

    public Task<int> CountFirstFollowsAsync(string channelId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => SqlValue.Int(await s.ScalarAsync(
            "SELECT COUNT(*) FROM social_followers WHERE channel_id = $1 AND first_followed_at >= $2 AND first_followed_at <= $3;",
            cancellationToken, channelId, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds())), cancellationToken);

    // ---- The CRM outbox ----

    private const string EventColumns = "event_id, event, channel_id, body, status, attempts, last_error, created_at, updated_at";

    private static CrmEventRecord ReadEvent(object?[] r) => new(
        (string)r[0]!, (string)r[1]!, (string)r[2]!, (string)r[3]!, (string)r[4]!, SqlValue.Int(r[5]), SqlValue.Text(r[6]),
        DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[7])), DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[8])));

    public Task<IReadOnlyList<CrmEventRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) =>
        _database.WriteAsync<IReadOnlyList<CrmEventRecord>>(async s =>
        {
            var at = now.ToUnixTimeMilliseconds();
            var rows = await s.QueryAsync(
                $"""
                UPDATE crm_events SET lease_until = $1{_dialect.ClaimOwner}
                WHERE event_id IN (SELECT event_id FROM crm_events
                                   WHERE status = '{CrmEventStatus.Pending}' AND next_attempt_at <= $2 AND lease_until <= $2
                                   ORDER BY next_attempt_at LIMIT $3{_dialect.SkipLocked})
                RETURNING {EventColumns};
                """,
                cancellationToken, at + (long)lease.TotalMilliseconds, at, max, _node);
            return rows.Select(ReadEvent).ToList();
        }, cancellationToken);

    public Task ReleaseAllLeasesAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(s => s.ExecuteAsync(_dialect.ReleaseLeasesOf("crm_events"), cancellationToken, _node), cancellationToken);

    public Task<bool> SettleAsync(string eventId, string status, int attempts, string? error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s => await s.ExecuteAsync(
            $"UPDATE crm_events SET status = $1, attempts = $2, last_error = $3, lease_until = 0, updated_at = $4 WHERE event_id = $5 AND status = '{CrmEventStatus.Pending}';",
            cancellationToken, status, attempts, error, now.ToUnixTimeMilliseconds(), eventId) == 1, cancellationToken);

    public Task ScheduleRetryAsync(string eventId, int attempts, DateTimeOffset nextAttemptAt, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(s => s.ExecuteAsync(
            $"UPDATE crm_events SET attempts = $1, next_attempt_at = $2, last_error = $3, lease_until = 0, updated_at = $4 WHERE event_id = $5 AND status = '{CrmEventStatus.Pending}';",
            cancellationToken, attempts, nextAttemptAt.ToUnixTimeMilliseconds(), error, now.ToUnixTimeMilliseconds(), eventId), cancellationToken);

    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => await s.ScalarAsync(
                $"SELECT MIN({_dialect.Greatest}(next_attempt_at, lease_until)) FROM crm_events WHERE status = '{CrmEventStatus.Pending}';", cancellationToken) is { } at
            ? DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(at))
            : (DateTimeOffset?)null, cancellationToken);

    public Task<IReadOnlyList<CrmEventRecord>> ListDeadLettersAsync(int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<CrmEventRecord>>(async s =>
            (await s.QueryAsync(
                $"SELECT {EventColumns} FROM crm_events WHERE status = '{CrmEventStatus.DeadLetter}' ORDER BY updated_at DESC, event_id LIMIT $1;",
                cancellationToken, max))
            .Select(ReadEvent).ToList(), cancellationToken);

    public Task<IReadOnlyList<CrmEventRecord>> ListAsync(string channelId, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<CrmEventRecord>>(async s =>
            (await s.QueryAsync($"SELECT {EventColumns} FROM crm_events WHERE channel_id = $1 ORDER BY created_at, event_id;", cancellationToken, channelId))
            .Select(ReadEvent).ToList(), cancellationToken);

    public Task<string?> RedeliverAsync(string eventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            if (await s.ExecuteAsync(
                    $"""
                    UPDATE crm_events SET status = '{CrmEventStatus.Pending}', attempts = 0, next_attempt_at = $1, lease_until = 0, updated_at = $1
                    WHERE event_id = $2 AND status = '{CrmEventStatus.DeadLetter}';
                    """,
                    cancellationToken, now.ToUnixTimeMilliseconds(), eventId) == 1)
                return CrmEventStatus.DeadLetter;
            return await s.ScalarAsync("SELECT status FROM crm_events WHERE event_id = $1;", cancellationToken, eventId) as string;
        }, cancellationToken);
}
