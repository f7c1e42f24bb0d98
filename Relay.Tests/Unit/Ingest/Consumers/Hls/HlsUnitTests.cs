using Relay.Common.Resilience;
using Relay.Ingest.Consumers.Hls;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Consumers.Hls;

public sealed class HlsUnitTests
{
    [Theory]
    [InlineData("seg-0.ts", true)]
    [InlineData("seg-1795376997.ts", true)]
    [InlineData("seg-1.ts.tmp", false)]
    [InlineData("index.m3u8", false)]
    [InlineData("../seg-1.ts", false)]
    [InlineData("seg-1.ts/..", false)]
    [InlineData("seg--1.ts", false)]
    [InlineData("seg-1.TS", false)]
    [InlineData("seg-123456789012345678901.ts", false)]
    [InlineData("", false)]
    public void Segment_names_are_only_what_the_packager_writes(string name, bool valid) =>
        Assert.Equal(valid, HlsFileNames.IsSegment(name));

    [Theory]
    [InlineData("demo", true)]
    [InlineData("shop_01-live", true)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("-x", false)]
    [InlineData("", false)]
    public void Channel_ids_must_be_plain_folder_names(string id, bool valid) =>
        Assert.Equal(valid, ChannelIds.IsSafe(id));

    [Fact]
    public void Restart_backoff_doubles_to_its_cap_and_resets_after_a_stable_run()
    {
        var backoff = new BackoffCounter(HlsPackager.RestartBackoff(new HlsOptions { MaxRestartDelaySeconds = 4 }), TimeProvider.System);
        var quick = TimeSpan.FromSeconds(1);
        var delays = Enumerable.Range(0, 6).Select(_ => backoff.Next(quick).TotalSeconds).ToList();
        Assert.InRange(delays[0], 0.4, 0.6);
        Assert.InRange(delays[1], 0.8, 1.2);
        Assert.InRange(delays[2], 1.6, 2.4);
        Assert.All(delays.Skip(3), d => Assert.InRange(d, 3.2, 4.8));
        Assert.InRange(backoff.Next(HlsPackager.StableAfter).TotalSeconds, 0.4, 0.6);
        Assert.Equal(1, backoff.Failures);
    }

    [Fact]
    public void Options_validator_reports_every_bad_key()
    {
        var result = new HlsOptionsValidator().Validate(null, new HlsOptions { SegmentSeconds = 0, PlaylistSize = 1, PlaylistWaitSeconds = -1, MaxRestartDelaySeconds = 0, PartSeconds = 5 });
        Assert.True(result.Failed);
        Assert.Equal(5, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("PartSeconds", StringComparison.Ordinal));
        Assert.True(new HlsOptionsValidator().Validate(null, new HlsOptions { SegmentSeconds = 1, PartSeconds = 1 }).Failed, "a part as long as a segment");
        Assert.True(new HlsOptionsValidator().Validate(null, new HlsOptions()).Succeeded);
    }

    [Fact]
    public void Packager_arguments_keep_the_codecs_and_write_into_the_channel_folder()
    {
        var args = HlsPackagerArguments.For("/data/hls/demo", new HlsOptions());
        Assert.Equal(["-c", "copy"], args.Skip(args.ToList().IndexOf("-c")).Take(2));
        Assert.Equal("/data/hls/demo/index.m3u8", args[^1]);
        Assert.Contains("/data/hls/demo/seg-%d.ts", args);
        Assert.Contains("delete_segments+independent_segments+omit_endlist+temp_file", args);
    }
}
