namespace Relay.Server.Shows;

/// <summary>One destination in a show: seconds it was live (counted per time-line interval) and its reconnects.</summary>
/// <param name="Name">From the channel's destinations; null when it was deleted since.</param>
public sealed record ShowDestinationLine(string Id, string? Name, string? Platform, double LiveSeconds, int Reconnects);
