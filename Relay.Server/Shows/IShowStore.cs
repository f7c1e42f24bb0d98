namespace Relay.Server.Shows;

/// <summary>
/// Where shows, their time lines and audiences are kept: <c>relay.db</c> on one process, the cluster's PostgreSQL on a
/// node of a cluster (the rules are <see cref="RelationalShowStore"/>'s, once for both).
/// </summary>
public interface IShowStore
{
    Task MigrateAsync(CancellationToken ct);

    /// <summary>The channel's most recent show, ended or not.</summary>
    Task<ShowRecord?> LatestAsync(string channelId, CancellationToken ct);

    Task StartAsync(ShowRecord show, CancellationToken ct);

    /// <summary>Sets (or, with null, clears: the show goes on) its end.</summary>
    Task SetEndAsync(string showId, DateTimeOffset? endedAt, CancellationToken ct);

    /// <summary>A time-line point, the markers heard since the last one, and every destination's totals so far.</summary>
    Task AddSampleAsync(string showId, ShowSample sample, IReadOnlyList<ShowMarker> markers, IReadOnlyList<ShowDestinationTime> destinations, CancellationToken ct);

    /// <summary>Viewers that joined the channel's room at those times (kept per channel: any node may see a join).</summary>
    Task AddAudienceAsync(IReadOnlyList<ShowAudienceEntry> entries, CancellationToken ct);

    /// <summary>Up to <paramref name="max"/> shows, newest first, after the cursor's (start, id) when given.</summary>
    Task<IReadOnlyList<ShowRecord>> ListAsync(string channelId, Relay.Chat.Orders.ListCursor? after, int max, CancellationToken ct);

    /// <summary>The channel was deleted: its shows and joins go, so a channel created again under its id starts empty.</summary>
    Task DeleteChannelAsync(string channelId, CancellationToken ct);

    Task<ShowRecord?> FindAsync(string channelId, string showId, CancellationToken ct);

    Task<IReadOnlyList<ShowSample>> SamplesAsync(string showId, CancellationToken ct);

    Task<IReadOnlyList<ShowMarker>> MarkersAsync(string showId, CancellationToken ct);

    Task<IReadOnlyList<ShowDestinationTime>> DestinationsAsync(string showId, CancellationToken ct);

    /// <summary>Distinct viewers that joined the channel's room from <paramref name="from"/> to <paramref name="to"/>.</summary>
    Task<int> CountAudienceAsync(string channelId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}
