namespace Relay.Server.Shows;

/// <summary>The live channel's destinations as the egress sees them now (the server adapts the media plane's status).</summary>
public interface IShowDestinations
{
    IReadOnlyList<ShowDestinationState> Current(string channelId);
}
