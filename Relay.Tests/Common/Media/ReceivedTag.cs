namespace Relay.Tests.Common.Media;

/// <summary>One tag as it arrived at a sink, with its arrival time.</summary>
public readonly record struct ReceivedTag(byte Type, uint Timestamp, double ArrivalMs, bool Keyframe, bool SequenceHeader);
