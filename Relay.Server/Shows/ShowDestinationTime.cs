namespace Relay.Server.Shows;

/// <summary>How long one destination was live during a show and how often it reconnected.</summary>
public sealed record ShowDestinationTime(string DestinationId, long LiveMilliseconds, int Reconnects);
