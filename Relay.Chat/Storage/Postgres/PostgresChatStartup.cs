using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Storage.Postgres;

/// <summary>Migrates the live room's PostgreSQL tables when the node starts, so the first purchase does not pay for it.
/// A database that is down then does not stop the node: it is unready, and the first use tries again.</summary>
public sealed class PostgresChatStartup(PostgresChatDatabase database, ILogger<PostgresChatStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await database.EnsureReadyAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PostgresStorageNotReady(logger, database.Host, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
