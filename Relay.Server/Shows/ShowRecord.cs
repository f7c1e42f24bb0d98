namespace Relay.Server.Shows;

/// <summary>One show of a channel: from its first publish to its last unpublish (null while it goes on).</summary>
public sealed record ShowRecord(string Id, string ChannelId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, DateTimeOffset? LastSampleAt);
