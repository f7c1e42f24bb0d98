namespace Relay.Server.Shows;

/// <summary>One point of the report's time line: the interval that ends at <see cref="At"/>, with the confirmed orders
/// made in it.</summary>
public sealed record ShowPoint(DateTimeOffset At, int Viewers, int PeakViewers, int Messages, int Likes, int Orders, int Units, long GmvCents);
