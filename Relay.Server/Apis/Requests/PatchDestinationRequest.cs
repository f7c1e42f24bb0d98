using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Requests;

/// <summary>
/// The body of <c>PATCH /api/v1/channels/{id}/destinations/{destId}</c> as documented: every field optional, an absent
/// one unchanged, an explicit null or "" streamKey clears the key (read field by field, see <see cref="CreateChannelRequest"/>).
/// </summary>
public sealed record PatchDestinationRequest(
    string? Name,
    bool? Enabled,
    string? Url,
    string? StreamKey,
    EgressProfile? Profile,
    string? Engine,
    int? TrackId = null);
