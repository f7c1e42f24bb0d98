using Microsoft.Extensions.Options;
using Relay.Server.Configuration;

namespace Relay.Server.Apis;

/// <summary>The addresses a person types or clicks: OBS server, watch page, studio.</summary>
public sealed class PublicUrls(IOptions<RelayOptions> relay, IConfiguration config)
{
    public int RtmpPort => config.GetValue("Relay:Ingest:RtmpPort", 1935);

    public string App => config.GetValue("Relay:Ingest:App", "live") ?? "live";

    /// <summary>The configured public base (no trailing slash), or null to use the request's.</summary>
    public string? PublicBase => relay.Value.PublicBaseUrl is { Length: > 0 } b ? b.TrimEnd('/') : null;

    /// <summary>The OBS server's host: PublicHost, else PublicBaseUrl's host, else the host the request came to.</summary>
    public string Host(HttpRequest? request) =>
        !string.IsNullOrWhiteSpace(relay.Value.PublicHost) ? relay.Value.PublicHost
        : PublicBase is { } b ? new Uri(b).Host
        : request?.Host.Host is { Length: > 0 } h ? h
        : "localhost";

    public string IngestUrl(HttpRequest? request) =>
        RtmpPort == 1935 ? $"rtmp://{Host(request)}/{App}" : $"rtmp://{Host(request)}:{RtmpPort}/{App}";

    /// <summary>The SRT listener's port; 0 = SRT off.</summary>
    public int SrtPort => config.GetValue("Relay:Ingest:SrtPort", 9710);

    /// <summary>The SRT URL OBS or ffmpeg publishes to, the stream key left as a placeholder; null when SRT is off.</summary>
    public string? SrtUrl(HttpRequest? request) =>
        SrtPort == 0 ? null : $"srt://{Host(request)}:{SrtPort}?streamid=publish:{App}/STREAM_KEY";

    /// <summary>
    /// Where pages and API links point: PublicBaseUrl, else the request's scheme and host (rewritten from X-Forwarded-Proto
    /// and -Host by the forwarded-headers middleware when the peer is a known proxy), else the listening address.
    /// </summary>
    public string HttpBase(HttpRequest? request, string? fallbackBase = null) =>
        PublicBase ?? (request is not null ? $"{request.Scheme}://{request.Host}" : fallbackBase ?? $"http://{Host(null)}:8080");

    public string WatchUrl(string channelId, HttpRequest? request, string? fallbackBase = null) =>
        $"{HttpBase(request, fallbackBase)}/watch/{Uri.EscapeDataString(channelId)}";

    public string StudioUrl(string channelId, HttpRequest? request, string? fallbackBase = null) =>
        $"{HttpBase(request, fallbackBase)}/studio/{Uri.EscapeDataString(channelId)}";
}
