namespace Relay.Chat.Referrals;

/// <summary>The durable side of share codes (issue 16): the secret codes are derived with, which code belongs to whom,
/// and the visits each code brought. SQLite or the cluster's PostgreSQL, the same rules (Storage.ReferralStore).</summary>
public interface IReferralStore
{
    /// <summary>32 random bytes drawn once and kept in the database: the same on every node and after a restart.</summary>
    Task<byte[]> SecretAsync(CancellationToken cancellationToken);

    /// <summary>Remembers that <paramref name="shareCode"/> is <paramref name="sharerId"/>'s (the first answer stays).</summary>
    Task RememberAsync(string shareCode, string sharerId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts a visit of <paramref name="visitorId"/> through <paramref name="shareCode"/>, once per
    /// (channel, code, visitor, show). False = already counted, or the code belongs to nobody this relay knows.</summary>
    Task<bool> VisitAsync(string channelId, string shareCode, string visitorId, string showKey, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A channel's referrals ordered by share code, after <paramref name="afterCode"/>, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<ReferralLine>> ListAsync(string channelId, string? afterCode, int max, CancellationToken cancellationToken);

    /// <summary>Visits per share code counted in one show (<see cref="IReferralShows"/>'s key).</summary>
    Task<IReadOnlyDictionary<string, int>> VisitsInShowAsync(string channelId, string showKey, CancellationToken cancellationToken);
}
