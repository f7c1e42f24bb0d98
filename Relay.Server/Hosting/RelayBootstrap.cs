using Relay.Server.Security;
using Microsoft.Extensions.Options;
using Relay.Common.Files;
using Relay.Common.Storage;
using Relay.Server.Access;
using Relay.Server.Channels;
using Relay.Server.Configuration;
using Relay.Server.Diagnostics;
using Relay.Server.Store;

namespace Relay.Server.Hosting;

/// <summary>
/// Runs before the server listens: validates configuration, prepares DataDir, migrates the
/// store, loads the admin token and the channels, seeds config-declared and demo channels.
/// </summary>
public sealed class RelayBootstrap(
    IServiceProvider services,
    IOptions<RelayOptions> relay,
    IOptions<AuthOptions> auth,
    IChannelStore store,
    ChannelService channels,
    AdminToken adminToken,
    TimeProvider time,
    ILogger<RelayBootstrap> logger)
{
    /// <summary>Channels whose keys were generated on this start, so the banner may print them once.</summary>
    public List<ChannelDefinition> NewlyCreated { get; } = [];

    public async Task RunAsync(CancellationToken ct)
    {
        // Every ValidateOnStart registration at once, before anything listens or writes.
        services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        var dataDir = EnsureDataDir(relay.Value.DataDir);
        // Owner-only before SQLite and Data Protection create them (SQLite gives its -wal and -shm files the database's mode).
        OwnerOnly.EnsureFile(Path.Combine(dataDir, SqliteDatabase.FileName));
        OwnerOnly.CreateDirectory(Path.Combine(dataDir, RelayServerExtensions.KeyRingDirectory));
        await adminToken.LoadAsync(auth.Value, dataDir, ct);
        await store.MigrateAsync(ct);
        // Nodes sharing one store seed it one at a time: "first start" means the store is empty when this node looks.
        await using (await AcquireStartLockAsync(ct))
        {
            await channels.LoadAsync(ct);
            var wasEmpty = channels.All.Count == 0;

            foreach (var declared in relay.Value.Channels)
            {
                await SeedFromConfigAsync(declared, ct);
            }
            if (wasEmpty && relay.Value.Channels.Count == 0 && relay.Value.Demo.CreateOnFirstStart)
            {
                var demo = DemoChannel.Create(time.GetUtcNow());
                await channels.UpsertAsync(demo, ct);
                NewlyCreated.Add(demo);
                ServerLog.DemoChannelCreated(logger, demo.Id);
            }
        }
    }

    private async Task<IAsyncDisposable?> AcquireStartLockAsync(CancellationToken ct) =>
        services.GetService<ICatalogStartLock>() is { } startLock ? await startLock.AcquireAsync(ct) : null;

    private async Task SeedFromConfigAsync(ChannelConfig declared, CancellationToken ct)
    {
        var existing = channels.Find(declared.Id!);
        var destinations = (existing?.Destinations ?? []).ToList();
        foreach (var d in declared.Destinations)
        {
            var dest = d.ToDestination();
            var at = destinations.FindIndex(x => x.Id == dest.Id);
            if (at >= 0)
            {
                destinations[at] = dest;
            }
            else
            {
                destinations.Add(dest);
            }
        }
        var channel = new ChannelDefinition(
            declared.Id!,
            declared.Title!.Trim(),
            declared.StreamKey ?? (existing is { StreamKeyFromConfig: false } ? existing.StreamKey : Secrets.NewKey(ChannelService.StreamKeyPrefix)),
            declared.HostKey ?? (existing is { HostKeyFromConfig: false } ? existing.HostKey : Secrets.NewKey(ChannelService.HostKeyPrefix)),
            declared.StreamKey is not null,
            declared.HostKey is not null,
            existing?.CreatedAt ?? time.GetUtcNow(),
            destinations,
            declared.Lineup is null ? existing?.Lineup ?? [] : declared.Lineup.Select(i => i.ToLineupItem()).ToList())
        {
            // Set from the studio, not from configuration: a restart keeps them.
            Rehearsal = existing?.Rehearsal ?? false,
            NextShowAt = existing?.NextShowAt,
        };
        await channels.UpsertAsync(channel, ct);
        if (existing is null)
        {
            NewlyCreated.Add(channel);
        }
    }

    /// <summary>DataDir made (mode 700) and proven writable; the error names the key and the cause.</summary>
    private static string EnsureDataDir(string configured)
    {
        try
        {
            return DataDirectory.Ensure(configured);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Relay:DataDir: cannot use '{DataDirectory.Resolve(configured)}' ({e.Message.TrimEnd('.')}); choose a writable directory");
        }
    }
}
