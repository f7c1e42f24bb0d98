namespace Relay.Server.Shows;

/// <summary>One destination now: pushing or not, and its reconnects since the channel's publish began.</summary>
public sealed record ShowDestinationState(string DestinationId, bool Live, int Reconnects);
