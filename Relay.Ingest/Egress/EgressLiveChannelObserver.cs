using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress;

/// <summary>
/// Starts a channel's pushes when its publisher arrives and stops them when it leaves, from the destinations last
/// given to <see cref="EgressManager.ApplyAsync"/>. The registry calls observers synchronously on the ingest's
/// path, so the work runs in the background and its failures are logged, never thrown back into the ingest.
/// </summary>
public sealed partial class EgressLiveChannelObserver(EgressManager manager, ILogger<EgressLiveChannelObserver> logger) : ILiveChannelObserver
{
    public void ChannelLive(string channelId) => Run(channelId, () => manager.ResumeChannelAsync(channelId, CancellationToken.None));

    public void ChannelOffline(string channelId) => Run(channelId, () => manager.StopChannelAsync(channelId));

    private void Run(string channelId, Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, channelId);
        }
    });

    [LoggerMessage(EventId = EventIds.EgressObserverFailed, Level = LogLevel.Error, Message = "Egress could not follow channel {Channel} going live/offline")]
    private static partial void LogFailed(ILogger logger, Exception exception, string channel);
}
