namespace Relay.Server.Apis.Requests;

/// <summary>
/// The body of <c>PATCH /api/v1/channels/{id}</c> as documented (read field by field, see <see cref="CreateChannelRequest"/>).
/// A field left out stays as it is.
/// </summary>
/// <param name="Rehearsal">True: publishes are previewed only (nothing pushed, recorded or public).</param>
/// <param name="NextShowAt">ISO 8601 with a time zone, in the future and within a year; null clears it.</param>
public sealed record PatchChannelRequest(string? Title, bool? Rehearsal, DateTimeOffset? NextShowAt);
