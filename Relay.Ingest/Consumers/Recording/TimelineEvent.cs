using System.Text.Json;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>One marker on a recording's timeline.</summary>
/// <param name="OffsetSeconds">Seconds from the first frame of the recording (its playback position).</param>
/// <param name="At">Wall-clock time the marker was added.</param>
/// <param name="Kind">What happened: <c>pinned</c>, <c>unpinned</c>, <c>flashSale</c>...</param>
/// <param name="Payload">The event's data as the server sent it.</param>
public sealed record TimelineEvent(double OffsetSeconds, DateTimeOffset At, string Kind, JsonElement? Payload);
