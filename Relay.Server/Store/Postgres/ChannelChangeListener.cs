using System.Collections.Concurrent;
using Npgsql;
using Relay.Common.Resilience;
using Relay.Common.Storage;
using Relay.Server.Channels;
using Relay.Server.Diagnostics;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// Brings the other nodes' catalog changes into this node's <see cref="ChannelService"/> (and so to its observers:
/// ingest keys, egress desired state, the rooms' line-ups). One dedicated connection holds <c>LISTEN relay_channels</c>;
/// each notification names a channel, which is read again and applied (<see cref="ChannelService.ReloadAsync"/>).
/// A lost connection is opened again with backoff, and then every channel is read again, since notifications sent
/// while no one listened are gone.
/// </summary>
public sealed class ChannelChangeListener(
    PostgresDatabase db,
    PostgresChannelStore store,
    ChannelService channels,
    TimeProvider time,
    ILogger<ChannelChangeListener> logger) : BackgroundService
{
    /// <summary>0.25 s doubling to 10 s, equal jitter; a connection that lived 30 s counts as healthy again.</summary>
    public static readonly BackoffPolicy Reconnect = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10), BackoffJitter.Equal)
    {
        ResetAfter = TimeSpan.FromSeconds(30),
    };

    /// <summary>An idle listener proves its connection this often (a silent network loss would otherwise go unnoticed).</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new BackoffCounter(Reconnect, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = backoff.Next(time.GetElapsedTime(started));
                ClusterCatalogLog.ListenerLost(logger, db.Host, PostgresFailure.Reason(e) ?? e.GetType().Name, (long)delay.TotalMilliseconds);
                try
                {
                    await backoff.WaitAsync(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        // Raised while the connection reads (inside WaitAsync or a command): only queue here, apply in the loop below.
        var heard = new ConcurrentQueue<string>();
        await using var connection = await db.OpenAsync(stoppingToken);
        connection.Notification += (_, e) =>
        {
            if (CatalogChangeNotice.TryParse(e.Payload, out var origin, out var channelId) && origin != store.Origin)
            {
                heard.Enqueue(channelId);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {CatalogChangeNotice.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Listening first, then reading: a change committed in between is read now and heard again (then nothing differs).
        var (changed, _) = await channels.ReloadAllAsync(stoppingToken);
        ClusterCatalogLog.Listening(logger, db.Host, changed);
        var batch = new List<string>();
        while (true)
        {
            batch.Clear();
            while (heard.TryDequeue(out var channelId))
            {
                if (!batch.Contains(channelId, StringComparer.Ordinal))
                {
                    batch.Add(channelId);
                }
            }
            foreach (var channelId in batch)
            {
                // Memory follows at once; the observers are told in the channel's turn without holding up this loop
                // (they log their own failures).
                var (changes, _) = await channels.ReloadAsync(channelId, stoppingToken);
                if (changes.Count > 0)
                {
                    ClusterCatalogLog.RemoteChange(logger, channelId, string.Join(", ", changes));
                }
            }
            if (heard.IsEmpty && !await connection.WaitAsync(KeepAlive, stoppingToken))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteNonQueryAsync(stoppingToken);
            }
        }
    }
}
