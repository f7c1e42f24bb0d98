using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Ingest.Amf0;
using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Cues;

/// <summary>
/// Media-time events (contract v2) through the real host: ffmpeg publishes, the host pins, starts a flash sale, drops a
/// coupon and starts a draw; viewers on both hub protocols get a `cue` after each with the stream time the ingest had
/// reached, Resume replays it, an HTTP-FLV viewer reads the same cues back as onCuePoint script tags among the frames of
/// that time, and after the show the recording holds them and its timeline puts the pin at the cue's position.
/// A pin while the channel is offline gets no cue.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class MediaTimeCueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Host_actions_are_cued_at_the_stream_time_on_the_hub_in_http_flv_and_in_the_recording()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync("--Relay:Hls:Enabled=true", "--Relay:Recording:Enabled=true");
        using var admin = server.AdminClient();
        var demo = server.Channels.Find("demo")!;
        var put = await admin.PutAsJsonAsync("/api/v1/channels/demo/lineup", new object[]
        {
            new { sku = "TEE", title = "纯棉T恤", priceCents = 9900, currency = "CNY", stock = 100 },
            new { sku = "MUG", title = "马克杯", priceCents = 2500, currency = "CNY", stock = 100 },
        }, ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        await using var host = Connect(server, "messagepack", demo.HostKey);
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.On<StatusEvent>("status", s => { if (s.Live) live.TrySetResult(); });
        var hostCues = new ConcurrentQueue<CueEvent>();
        host.On<CueEvent>("cue", hostCues.Enqueue);
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);
        var guest = JsonDocument.Parse(await (await server.Client().PostAsync("/api/v1/guests", null, ct)).Content.ReadAsStringAsync(ct)).RootElement;
        await using var viewer = Connect(server, "json", guest.GetProperty("guestToken").GetString()!);
        var viewerCues = new ConcurrentQueue<CueEvent>();
        var viewerPins = new ConcurrentQueue<PinnedEvent>();
        viewer.On<CueEvent>("cue", viewerCues.Enqueue);
        viewer.On<PinnedEvent>("pinned", viewerPins.Enqueue);
        await viewer.StartAsync(ct);
        var joined = await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "v" }, ct);

        // Offline: the pin happens, nothing is cued.
        await host.InvokeAsync("Pin", "MUG", ct);
        await UntilAsync(() => !viewerPins.IsEmpty, "the offline pin reached the viewer", ct);

        var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 60);
        try
        {
            await live.Task.WaitAsync(Wait, ct);
            var registry = server.App.Services.GetRequiredService<LiveChannelRegistry>();
            await UntilAsync(() => registry.TryGetHub("demo", out var h) && h.StreamTimeMs > 2000, "two seconds of media", ct);
            var clock = Stopwatch.StartNew();
            var flv = FlvHttpReader.ReadAsync(server.Client(), new Uri(server.BaseAddress, "/live/demo.flv"), TimeSpan.FromSeconds(8), ct, clock);
            await Task.Delay(1500, ct);

            registry.TryGetHub("demo", out var hub);
            var before = hub!.StreamTimeMs!.Value;
            await host.InvokeAsync("Pin", "TEE", ct);
            var after = hub.StreamTimeMs!.Value;
            await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "MUG", PriceCents = 1500, Quantity = 10, DurationSeconds = 120 }, ct);
            var coupon = await host.InvokeAsync<CouponView>("DropCoupon", new CouponRequest { DiscountCents = 500, Quantity = 10, DurationSeconds = 60 }, ct);
            await host.InvokeAsync("StartDraw", new DrawRequest { Sku = "TEE", Winners = 1, DurationSeconds = 60 }, ct);

            await UntilAsync(() => viewerCues.Count >= 4 && hostCues.Count >= 4, "four cues on both protocols", ct);
            var cues = viewerCues.ToArray();
            Assert.Equal(["pin", "sale", "coupon", "draw"], cues.Select(c => c.Kind));
            Assert.Equal(["TEE", "MUG", coupon.CouponId], cues.Take(3).Select(c => c.Id));
            Assert.StartsWith("dr_", cues[3].Id);
            // Both protocols carry the same cues, and each comes right after its action's own event.
            Assert.Equal(cues.Select(c => (c.Seq, c.Kind, c.StreamTimeMs, c.Id)), hostCues.Select(c => (c.Seq, c.Kind, c.StreamTimeMs, c.Id)));
            Assert.Equal(viewerPins.Last().Seq + 1, cues[0].Seq);
            Assert.InRange(cues[0].StreamTimeMs, before, after);
            Assert.True(cues.Zip(cues.Skip(1)).All(p => p.First.StreamTimeMs <= p.Second.StreamTimeMs), "stamps follow the stream");

            // Low-latency HLS carries the same cues as timed ID3 (emsg before a part's moof) at the same stream time.
            var emsgs = new Dictionary<long, (ulong Time, uint Timescale, string Json)>();
            await Eventually.TrueAsync(async () =>
            {
                var playlist = await server.Client().GetStringAsync("/live/demo/ll/index.m3u8", ct);
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(playlist, "URI=\"(part\\d+\\.\\d+\\.m4s)\""))
                {
                    using var answer = await server.Client().GetAsync("/live/demo/ll/" + m.Groups[1].Value, ct);
                    if (answer.IsSuccessStatusCode) foreach (var e in Emsgs(await answer.Content.ReadAsByteArrayAsync(ct)))
                    {
                        // The emsg id is the cue's seq in 32 bits; the JSON carries it whole.
                        using var json = System.Text.Json.JsonDocument.Parse(e.Json);
                        var seq = json.RootElement.GetProperty("seq").GetInt64();
                        Assert.Equal((uint)seq, e.Id);
                        emsgs[seq] = (e.Time, e.Timescale, e.Json);
                    }
                }
                return cues.All(c => emsgs.ContainsKey(c.Seq));
            }, "the four cues in the LL-HLS parts", Wait, ct);
            foreach (var cue in cues)
            {
                var (time, timescale, json) = emsgs[cue.Seq];
                Assert.Equal((90_000u, (ulong)cue.StreamTimeMs * 90), (timescale, time));
                using var doc = System.Text.Json.JsonDocument.Parse(json);
                Assert.Equal((cue.Seq, cue.Kind, cue.Id), (doc.RootElement.GetProperty("seq").GetInt64(), doc.RootElement.GetProperty("kind").GetString(), doc.RootElement.GetProperty("id").GetString()));
            }

            // Resume from before the pin replays the cue with the rest, on either protocol.
            foreach (var client in new[] { host, viewer })
            {
                var resumed = await client.InvokeAsync<ResumeResult>("Resume", "demo", joined.Seq, ct);
                var replayed = Assert.Single(resumed.Events!, e => e.Name == "cue" && e.Cue!.Kind == "pin");
                Assert.Equal((cues[0].Seq, cues[0].StreamTimeMs, "TEE"), (replayed.Seq, replayed.Cue!.StreamTimeMs, replayed.Cue.Id));
            }

            // The HTTP-FLV viewer read the same cues, each among the frames of its moment.
            var tags = (await flv).Tags.Select(t => t.Tag).ToList();
            foreach (var cue in cues)
            {
                var at = tags.FindIndex(t => t.Kind == FlvTagKind.CuePoint && CuePoint.Of(t).Seq == cue.Seq);
                Assert.True(at > 0, $"onCuePoint {cue.Kind} in HTTP-FLV");
                var read = CuePoint.Of(tags[at]);
                Assert.Equal((cue.Kind, cue.Kind, cue.Id, "event"), (read.Name, read.Kind, read.Id, read.Type));
                Assert.Equal(cue.StreamTimeMs / 1000.0, read.TimeSeconds, 3);
                Assert.Equal((uint)cue.StreamTimeMs, tags[at].Timestamp);
                var previousFrame = tags.Take(at).Last(t => t.IsVideo || t.IsAudio);
                Assert.InRange((long)previousFrame.Timestamp, cue.StreamTimeMs, cue.StreamTimeMs + 1000);
            }
            // The offline pin was never written.
            Assert.Equal(4, tags.Count(t => t.Kind == FlvTagKind.CuePoint));
        }
        finally
        {
            publisher.Dispose();
        }

        // The recording holds the four cues at the file's clock, and the timeline puts the pin where its cue is.
        var recordings = server.App.Services.GetRequiredService<RecordingService>();
        await UntilAsync(() => recordings.List("demo") is [{ InProgress: false }], "the recording ended", ct);
        var recording = recordings.List("demo")[0];
        var directory = Path.Combine(server.DataDir, "recordings", "demo");
        var fileTags = await ReadFileAsync(Path.Combine(directory, recording.FileName), ct);
        var recorded = fileTags.Where(t => t.Kind == FlvTagKind.CuePoint).ToList();
        Assert.Equal(["pin", "sale", "coupon", "draw"], recorded.Select(t => CuePoint.Of(t).Kind));
        var timeline = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(directory, recording.TimelineFileName), ct)).RootElement;
        var pinned = timeline.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "pinned");
        Assert.Equal(recorded[0].Timestamp / 1000.0, pinned.GetProperty("offsetSeconds").GetDouble(), 2);
    }

    private static Task UntilAsync(Func<bool> condition, string what, CancellationToken ct) =>
        Eventually.TrueAsync(() => Task.FromResult(condition()), what, Wait, ct);

    /// <summary>The relay-cue emsg boxes (ID3 TXXX with JSON) at the top level of an LL-HLS part.</summary>
    private static IEnumerable<(uint Id, ulong Time, uint Timescale, string Json)> Emsgs(byte[] part)
    {
        var found = new List<(uint, ulong, uint, string)>();
        var at = 0;
        while (at + 8 <= part.Length)
        {
            var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(part.AsSpan(at));
            if (size < 8 || at + size > part.Length) break;
            if (System.Text.Encoding.ASCII.GetString(part, at + 4, 4) == "emsg" && part[at + 8] == 1)
            {
                var box = part.AsSpan(at, size);
                var timescale = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(box[12..]);
                var time = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(box[16..]);
                var id = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(box[28..]);
                var marker = box.IndexOf("relay-cue\0"u8);
                if (marker > 0) found.Add((id, time, timescale, System.Text.Encoding.UTF8.GetString(box[(marker + 10)..])));
            }

            at += size;
        }

        return found;
    }

    private static async Task<List<FlvTag>> ReadFileAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var tags = new List<FlvTag>();
        await foreach (var tag in FlvTagReader.ReadTagsAsync(PipeReader.Create(file), FlvTagReader.DefaultMaxTagSize, ct)) tags.Add(tag);
        return tags;
    }

    private static HubConnection Connect(RelayTestServer server, string protocol, string token)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token));
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        return builder.Build();
    }

    /// <summary>An onCuePoint tag's AMF0, as a player reads it.</summary>
    private sealed record CuePoint(string Name, double TimeSeconds, string Type, long Seq, string Kind, string Id)
    {
        public static CuePoint Of(FlvTag tag)
        {
            var reader = new Amf0Reader(tag.Body.Span);
            Assert.Equal("onCuePoint", reader.ReadString());
            var body = Assert.IsType<Amf0Object>(reader.ReadValue());
            var parameters = Assert.IsType<Amf0Object>(body["parameters"]);
            return new CuePoint((string)body["name"]!, (double)body["time"]!, (string)body["type"]!,
                (long)(double)parameters["seq"]!, (string)parameters["kind"]!, (string)parameters["id"]!);
        }
    }
}
