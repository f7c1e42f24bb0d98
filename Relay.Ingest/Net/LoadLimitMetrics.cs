using Prometheus;

namespace Relay.Ingest.Net;

/// <summary>Requests refused by a load limit (429), by which limit.</summary>
public static class LoadLimitMetrics
{
    public const string HubPerIp = "hub_per_ip";
    public const string HubTotal = "hub_total";
    public const string FlvPerIp = "flv_per_ip";
    public const string FlvTotal = "flv_total";
    public const string FlvPerChannel = "flv_per_channel";
    public const string RestPerIp = "rest_per_ip";

    public static readonly Counter Refused = CreateRefused();

    private static Counter CreateRefused()
    {
        var counter = Metrics.CreateCounter("relay_http_limited_total",
            "HTTP requests refused with 429 by a load limit (Relay:Limits, Relay:Playback:MaxViewersPerChannel).", "limit");
        // Every series exists from the first scrape, so a rate() over a fresh process is 0, not absent.
        foreach (var limit in new[] { HubPerIp, HubTotal, FlvPerIp, FlvTotal, FlvPerChannel, RestPerIp })
        {
            counter.WithLabels(limit);
        }

        return counter;
    }
}
