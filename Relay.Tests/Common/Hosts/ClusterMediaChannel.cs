using System.Diagnostics;
using System.Text.Json;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The channel the cluster media tests publish: declared in configuration on every node (same id, same key, one
/// destination on an RTMP sink), so any node accepts its publisher; and what the tests ask the nodes about it.
/// </summary>
internal static class ClusterMediaChannel
{
    public const string Id = "show";
    public const string Key = "cluster-media-stream-key-0123456789";
    public const string SinkKey = "cluster-sink";

    /// <summary>Node arguments: the channel, pushing to <c>rtmp://127.0.0.1:{sinkPort}/live/cluster-sink</c>.</summary>
    public static string[] Arguments(int sinkPort, params string[] extra) =>
    [
        $"--Relay:Channels:0:Id={Id}",
        "--Relay:Channels:0:Title=Cluster show",
        $"--Relay:Channels:0:StreamKey={Key}",
        "--Relay:Channels:0:Destinations:0:Id=sink",
        "--Relay:Channels:0:Destinations:0:Name=nginx sink",
        "--Relay:Channels:0:Destinations:0:Platform=custom",
        $"--Relay:Channels:0:Destinations:0:Url=rtmp://127.0.0.1:{sinkPort}/live",
        $"--Relay:Channels:0:Destinations:0:StreamKey={SinkKey}",
        .. extra,
    ];

    public static FfmpegPublisher Publish(ClusterTestNode node, double seconds = 120) =>
        FfmpegPublisher.Start($"rtmp://127.0.0.1:{node.RtmpPort}/live/{Key}", seconds);

    /// <summary>
    /// Publishes to <paramref name="node"/> until the publish is taken, as an encoder retries: on a machine this loaded
    /// the first claim may find Redis too slow to answer (<c>ownership_unavailable</c>), which an encoder retries.
    /// </summary>
    public static async Task<FfmpegPublisher> PublishUntilTakenAsync(ClusterTestNode node, double seconds = 120)
    {
        for (var attempt = 1; ; attempt++)
        {
            var publisher = Publish(node, seconds);
            if (!await publisher.WaitForExitAsync(TimeSpan.FromSeconds(3)) || attempt == 3
                || !publisher.Stderr.Contains("The server cannot take the channel now", StringComparison.Ordinal))
            {
                return publisher;
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"publish attempt {attempt} on {node.Id} refused as ownership_unavailable; retrying");
            publisher.Dispose();
        }
    }

    public static async Task<string?> DestinationStateAsync(ClusterTestNode node)
    {
        using var admin = node.Admin();
        var list = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{Id}/destinations", TestContext.Current.CancellationToken)).RootElement;
        return list.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "sink").GetProperty("state").GetString();
    }

    /// <summary>The channel's <c>ingest</c> object on that node (null when offline).</summary>
    public static async Task<JsonElement?> IngestAsync(ClusterTestNode node)
    {
        using var admin = node.Admin();
        var channel = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{Id}", TestContext.Current.CancellationToken)).RootElement;
        return channel.TryGetProperty("ingest", out var ingest) && ingest.ValueKind == JsonValueKind.Object ? ingest : null;
    }

    public static async Task<bool> IsLiveAsync(ClusterTestNode node) =>
        await IngestAsync(node) is { } ingest && ingest.GetProperty("live").GetBoolean();

    /// <summary>Whether the node's <c>/metrics</c> says it owns the channel (<c>relay_channel_owner{channel,node} 1</c>).</summary>
    public static async Task<bool> OwnsAsync(ClusterTestNode node)
    {
        using var http = node.Admin();
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        // node is the registry's static label: prometheus-net may write it before or after the instance label.
        return metrics.Split('\n').Any(line => line.StartsWith("relay_channel_owner{", StringComparison.Ordinal)
            && line.Contains($"channel=\"{Id}\"", StringComparison.Ordinal) && line.Contains($"node=\"{node.Id}\"", StringComparison.Ordinal)
            && line.EndsWith("} 1", StringComparison.Ordinal));
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"not within {timeout.TotalSeconds} s: {failure()}");
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        }
    }
}
