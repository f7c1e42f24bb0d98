namespace Relay.Server.Channels;

/// <summary>
/// A validated <c>PATCH /api/v1/channels/{id}</c>: null leaves a setting as it is. <see cref="NextShowAt"/> may be
/// cleared, so whether it was given is said apart (<see cref="NextShowAtGiven"/>).
/// </summary>
public sealed record ChannelSettingsChange(string? Title, bool? Rehearsal, bool NextShowAtGiven, DateTimeOffset? NextShowAt);
