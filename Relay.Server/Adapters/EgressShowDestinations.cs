using Relay.Ingest.Egress;
using Relay.Server.Shows;

namespace Relay.Server.Adapters;

/// <summary>The show's destinations from the egress's own status (live = pushing now).</summary>
public sealed class EgressShowDestinations(EgressManager egress) : IShowDestinations
{
    public IReadOnlyList<ShowDestinationState> Current(string channelId) =>
        [.. egress.GetStatuses(channelId).Select(s => new ShowDestinationState(s.DestinationId, s.State == EgressState.Live, s.Reconnects))];
}
