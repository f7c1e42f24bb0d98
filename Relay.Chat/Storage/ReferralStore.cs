using System.Security.Cryptography;
using Relay.Chat.Referrals;

namespace Relay.Chat.Storage;

/// <summary>
/// Share codes and their visits (<see cref="IReferralStore"/>), written once for both engines like
/// <see cref="CommerceStore"/>: the embedded SQLite file (<see cref="SqliteReferralStore"/>) and the cluster's PostgreSQL
/// (<see cref="Postgres.PostgresReferralStore"/>). A visit is a row keyed (channel, code, visitor, show): inserted once,
/// so the count is exact whichever node the visitor joins and however often it reconnects.
/// </summary>
public abstract class ReferralStore : IReferralStore
{
    private const string SecretName = "share_codes";

    private readonly ICommerceDatabase _database;

    private protected ReferralStore(ICommerceDatabase database) => _database = database;

    public Task<byte[]> SecretAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            // The first node to ask draws it; every other (and every later start) reads that one.
            var results = await s.RunAsync(
            [
                new SqlCall("INSERT INTO chat_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING;", SecretName,
                    Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
                new SqlCall("SELECT value FROM chat_secrets WHERE name = $1;", SecretName),
            ], cancellationToken);
            return Convert.FromBase64String((string)results[1].Scalar!);
        }, cancellationToken);

    public Task RememberAsync(string shareCode, string sharerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _database.WriteAsync(s => s.ExecuteAsync(
            "INSERT INTO chat_share_codes (share_code, sharer_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (share_code) DO NOTHING;",
            cancellationToken, shareCode, sharerId, at.ToUnixTimeMilliseconds()), cancellationToken);

    public Task<bool> VisitAsync(string channelId, string shareCode, string visitorId, string showKey, DateTimeOffset at, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s => await s.ExecuteAsync(
            """
            INSERT INTO chat_referral_visits (channel_id, share_code, visitor_id, show_key, visited_at)
            SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM chat_share_codes WHERE share_code = $2)
            ON CONFLICT (channel_id, share_code, visitor_id, show_key) DO NOTHING;
            """,
            cancellationToken, channelId, shareCode, visitorId, showKey, at.ToUnixTimeMilliseconds()) == 1, cancellationToken);

    public Task<IReadOnlyList<ReferralLine>> ListAsync(string channelId, string? afterCode, int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<ReferralLine>>(async s =>
        {
            // The codes this channel saw (a visit, or a confirmed order naming one), then each one's numbers. Orders count
            // when confirmed, as in the show report.
            var rows = await s.QueryAsync(
                """
                WITH codes AS (
                    SELECT share_code AS code FROM chat_referral_visits WHERE channel_id = $1 AND share_code > $2
                    UNION
                    SELECT referrer AS code FROM orders_orders WHERE channel_id = $1 AND referrer > $2 AND status = 'confirmed')
                SELECT c.code, k.sharer_id,
                    (SELECT COUNT(*) FROM chat_referral_visits v WHERE v.channel_id = $1 AND v.share_code = c.code),
                    (SELECT COUNT(DISTINCT o.buyer_id) FROM orders_orders o WHERE o.channel_id = $1 AND o.referrer = c.code AND o.status = 'confirmed'),
                    (SELECT COUNT(*) FROM orders_orders o WHERE o.channel_id = $1 AND o.referrer = c.code AND o.status = 'confirmed'),
                    (SELECT CAST(COALESCE(SUM(o.quantity), 0) AS BIGINT) FROM orders_orders o WHERE o.channel_id = $1 AND o.referrer = c.code AND o.status = 'confirmed'),
                    (SELECT CAST(COALESCE(SUM(o.quantity * o.unit_price_cents), 0) AS BIGINT) FROM orders_orders o WHERE o.channel_id = $1 AND o.referrer = c.code AND o.status = 'confirmed')
                FROM codes c JOIN chat_share_codes k ON k.share_code = c.code
                ORDER BY c.code LIMIT $3;
                """,
                cancellationToken, channelId, afterCode ?? "", max);
            return rows.Select(r => new ReferralLine((string)r[0]!, (string)r[1]!, SqlValue.Int(r[2]), SqlValue.Int(r[3]), SqlValue.Int(r[4]),
                SqlValue.Int(r[5]), SqlValue.Long(r[6]))).ToList();
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> VisitsInShowAsync(string channelId, string showKey, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyDictionary<string, int>>(async s =>
            (await s.QueryAsync("SELECT share_code, COUNT(*) FROM chat_referral_visits WHERE channel_id = $1 AND show_key = $2 GROUP BY share_code;",
                cancellationToken, channelId, showKey))
            .ToDictionary(r => (string)r[0]!, r => SqlValue.Int(r[1]), StringComparer.Ordinal), cancellationToken);
}
