namespace Relay.Ingest.Egress;

/// <summary>
/// One push target of a channel, as the server stores it. The push target is <see cref="Url"/> plus
/// <see cref="StreamKey"/> (the publish name); with no key, the URL's last path segment is the publish name.
/// </summary>
/// <param name="Platform">youtube, twitch, facebook, tiktok, douyin, kuaishou, bilibili or custom.</param>
/// <param name="Engine">"auto" (native push; ffmpeg when <paramref name="Profile"/> transcodes) or "ffmpeg".</param>
/// <param name="RequirePublicAddress">
/// The URL was set with a host key: every connect resolves the name and goes only to a public address
/// (<see cref="DestinationAddressPolicy"/>), unless <c>Relay:Egress:AllowPrivateDestinations</c> is set.
/// </param>
/// <param name="TrackId">
/// E-RTMP v2 multitrack: the video track this destination receives (0-255), rewritten to a plain single-track stream;
/// null = the default track 0, which is also what a legacy destination gets from a multitrack publisher.
/// </param>
public sealed record EgressDestination(
    string Id,
    string Name,
    string Platform,
    string Url,
    string? StreamKey,
    bool Enabled,
    EgressProfile? Profile = null,
    string Engine = EgressEngines.Auto,
    bool RequirePublicAddress = false,
    int? TrackId = null)
{
    /// <summary>Whether this destination needs an ffmpeg process rather than the native pusher.</summary>
    public bool UsesFfmpeg =>
        string.Equals(Engine, EgressEngines.Ffmpeg, StringComparison.OrdinalIgnoreCase) || (Profile?.Transcodes ?? false);

    // Keys must never reach logs, even through a record's generated ToString.
    public override string ToString() =>
        $"EgressDestination {{ Id = {Id}, Platform = {Platform}, Url = {UrlRedactor.Redact(Url)}, Enabled = {Enabled}, Engine = {Engine}, RequirePublicAddress = {RequirePublicAddress}, TrackId = {TrackId} }}";
}
