using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Requests;

/// <summary>
/// The body of <c>POST /api/v1/channels/{id}/destinations</c> as documented (read field by field, see
/// <see cref="CreateChannelRequest"/>).
/// </summary>
/// <param name="Url">Empty for the platform's preset URL.</param>
/// <param name="StreamKey">Empty when the URL's last path segment is the key.</param>
/// <param name="Engine"><c>auto</c> (default) or <c>ffmpeg</c>.</param>
/// <param name="TrackId">E-RTMP multitrack: the video track (0-255) this destination receives; absent = track 0.</param>
public sealed record CreateDestinationRequest(
    string? Id,
    string Name,
    string Platform,
    string? Url,
    string? StreamKey,
    bool? Enabled,
    EgressProfile? Profile,
    string? Engine,
    int? TrackId = null);
