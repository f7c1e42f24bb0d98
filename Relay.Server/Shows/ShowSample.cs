namespace Relay.Server.Shows;

/// <summary>One point of a show's time line: the interval that ends at <see cref="At"/>.</summary>
/// <param name="Viewers">The room's viewers (all nodes) at <see cref="At"/>.</param>
/// <param name="PeakViewers">The most viewers the room had during the interval.</param>
/// <param name="Messages">Chat messages sent during the interval.</param>
/// <param name="Likes">Likes during the interval (0 until the room has likes).</param>
public sealed record ShowSample(DateTimeOffset At, int Viewers, int PeakViewers, int Messages, int Likes);
