using Relay.Ingest.Egress;
using Relay.Server.Channels;
using Relay.Server.Diagnostics;

namespace Relay.Server.Adapters;

/// <summary>At start, hands the egress every channel's destinations so a channel that goes live pushes at once.</summary>
public sealed class EgressDesiredStateLoader(ChannelService channels, EgressManager egress, ILogger<EgressDesiredStateLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var channel in channels.All)
        {
            try
            {
                await egress.ApplyAsync(channel.Id, channel.Destinations, cancellationToken);
            }
            catch (ArgumentException e)
            {
                ServerLog.DestinationsNotApplied(logger, channel.Id, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
