using Microsoft.Extensions.Options;
using Relay.Server.Configuration;

namespace Relay.Server.Apis;

/// <summary>The addresses a person types or clicks: OBS server, watch page, studio.</summary>
public sealed class PublicUrls(IOptions<RelayOptions> relay, IConfiguration config)
{
    public int RtmpPort => config.GetValue("Relay:Ingest:RtmpPort", 1935);

    public string App => config.GetValue("Relay:Ingest:App", "live") ?? "live";

    public string Host(HttpRequest? request) =>
        !string.IsNullOrWhiteSpace(relay.Value.PublicHost) ? relay.Value.PublicHost
        : request?.Host.Host is { Length: > 0 } h ? h
        : "localhost";

    public string IngestUrl(HttpRequest? request) =>
        RtmpPort == 1935 ? $"rtmp://{Host(request)}/{App}" : $"rtmp://{Host(request)}:{RtmpPort}/{App}";

    public string HttpBase(HttpRequest? request, string? fallbackBase = null) =>
        request is not null ? $"{request.Scheme}://{request.Host}" : fallbackBase ?? $"http://{Host(null)}:8080";

    public string WatchUrl(string channelId, HttpRequest? request, string? fallbackBase = null) =>
        $"{HttpBase(request, fallbackBase)}/watch/{Uri.EscapeDataString(channelId)}";

    public string StudioUrl(string channelId, HttpRequest? request, string? fallbackBase = null) =>
        $"{HttpBase(request, fallbackBase)}/studio/{Uri.EscapeDataString(channelId)}";
}
