using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.Recording;

/// <summary>A recording cut by a crash (half a tag at the end, timeline without an end) is repaired at start.</summary>
public sealed class RecordingRecoveryTests
{
    [Fact]
    public async Task Interrupted_recording_is_cut_to_whole_tags_and_its_timeline_completed()
    {
        using var dir = new TempDir("relay-recording");
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "recordings", "demo")).FullName;
        var media = Path.Combine(folder, "20260101-120000.flv");
        var tags = Enumerable.Range(0, 50).Select(i => FlvTag.Create(FlvTagType.Video, (uint)(i * 40), new byte[] { 0x27, 1, 0, 0, 0, 1, 2, 3 })).ToList();
        await using (var file = File.Create(media))
        {
            file.Write(FlvTagReader.AudioVideoFileHeader);
            foreach (var tag in tags)
            {
                file.Write(tag.Serialized.Span);
            }

            // kill -9 in the middle of a tag.
            file.Write(tags[0].Serialized.Span[..7]);
        }

        var wholeLength = FlvTagReader.FileHeaderSize + tags.Sum(t => t.Serialized.Length);
        var timelinePath = Path.Combine(folder, "20260101-120000.timeline.json");
        new RecordingTimeline(1, "demo", "20260101-120000.flv", DateTimeOffset.Parse("2026-01-01T12:00:00Z"), null, null,
            [new TimelineEvent(0.5, DateTimeOffset.Parse("2026-01-01T12:00:01Z"), "pinned", null)]).Save(timelinePath);

        var service = NewService(dir.Path);
        await service.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(wholeLength, new FileInfo(media).Length);
        var recording = Assert.Single(service.List("demo"));
        Assert.NotNull(recording.EndedAt);
        Assert.Equal(49 * 0.04, recording.DurationSeconds!.Value, 3);
        Assert.False(recording.InProgress);
        var repaired = RecordingTimeline.TryLoad(timelinePath)!;
        Assert.Equal("pinned", Assert.Single(repaired.Events).Kind);
    }

    [Theory]
    [InlineData("../relay.db")]
    [InlineData("..%2Frelay.db")]
    [InlineData("20260101-120000.flv/../../x")]
    [InlineData("20260101-120000.FLV")]
    [InlineData("20260101-120000.flv.tmp")]
    [InlineData("20260101-120000.timeline.json.tmp")]
    [InlineData("2026010-120000.flv")]
    [InlineData("")]
    public void Only_recording_file_names_resolve(string name)
    {
        using var dir = new TempDir("relay-recording");
        Assert.False(RecordingFileNames.TryParse(name, out _, out _));
        Assert.Null(NewService(dir.Path).ResolveFile("demo", name, out _));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../demo")]
    [InlineData("demo/..")]
    [InlineData(".")]
    [InlineData("")]
    public void Unsafe_channel_ids_resolve_nothing(string channelId)
    {
        using var dir = new TempDir("relay-recording");
        Assert.Null(NewService(dir.Path).ResolveFile(channelId, "20260101-120000.flv", out _));
        Assert.Empty(NewService(dir.Path).List(channelId));
    }

    [Fact]
    public void Recording_ids_are_the_utc_start_second_with_a_suffix_for_the_same_second()
    {
        var at = DateTimeOffset.Parse("2026-11-22T20:05:09+02:00");
        Assert.Equal("20261122-180509", RecordingFileNames.IdFor(at, 0));
        Assert.Equal("20261122-180509-2", RecordingFileNames.IdFor(at, 2));
        Assert.True(RecordingFileNames.TryParse("20261122-180509-2.timeline.json", out var id, out var timeline));
        Assert.Equal("20261122-180509-2", id);
        Assert.True(timeline);
    }

    internal static RecordingService NewService(string dataDir)
    {
        var ingest = Options.Create(new IngestOptions { DataDir = dataDir });
        var channels = new LiveChannelRegistry(new Lazy<IReadOnlyList<ILiveChannelObserver>>([]), ingest, TimeProvider.System, NullLogger<LiveChannelRegistry>.Instance);
        return new RecordingService(channels, ingest, Options.Create(new RecordingOptions()), TimeProvider.System, NullLogger<RecordingService>.Instance);
    }
}
