namespace Relay.Server.Channels;

/// <summary>A channel as stored. Secrets are plain here; the store encrypts them at rest.</summary>
public sealed record Channel(
    string Id,
    string Title,
    string StreamKey,
    string HostKey,
    bool StreamKeyFromConfig,
    bool HostKeyFromConfig,
    DateTimeOffset CreatedAt,
    IReadOnlyList<Destination> Destinations,
    IReadOnlyList<LineupItem> Lineup)
{
    /// <summary>
    /// Changes whenever the host key does (rotation, a channel deleted and created again); not stored, since hub
    /// connections do not outlive the process. A hub host whose generation is not the current one has lost its rights.
    /// </summary>
    public long HostKeyGeneration { get; init; }
}

public sealed record Destination(
    string Id,
    string Name,
    string Platform,
    string Url,
    string? StreamKey,
    bool Enabled,
    DestinationProfile? Profile,
    string Engine)
{
    /// <summary>
    /// The URL was last set with the admin token or in configuration, so it may point anywhere; a URL a host key set
    /// must be public, at the API and at every connect (contract v2 "destination address policy").
    /// </summary>
    public bool AddressSetByAdmin { get; init; }
}

/// <summary>Transcode settings; a destination with any of them set is pushed through ffmpeg.</summary>
public sealed record DestinationProfile(
    int? VideoBitrateKbps = null,
    int? MaxWidth = null,
    int? MaxHeight = null,
    int? Fps = null,
    double? KeyframeIntervalSeconds = null,
    string? Aspect = null,
    int? AudioBitrateKbps = null)
{
    public bool Transcodes =>
        VideoBitrateKbps is not null || MaxWidth is not null || MaxHeight is not null || Fps is not null
        || KeyframeIntervalSeconds is not null || Aspect is not null || AudioBitrateKbps is not null;
}

public sealed record LineupItem(
    string Sku,
    string Title,
    long PriceCents,
    string Currency,
    string? ImageUrl,
    int? Stock);
