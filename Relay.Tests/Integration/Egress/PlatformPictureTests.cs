using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Platforms;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Egress;

/// <summary>
/// The picture size a destination's checks use, read from a real ffmpeg-encoded sequence header through the push's own
/// counters, as the supervisor's sampler reads them.
/// </summary>
public sealed class PlatformPictureTests
{
    [Fact]
    public async Task The_size_comes_from_the_sequence_header_and_a_vertical_platform_flags_the_landscape_clip()
    {
        var clip = await TestClip.LoadAsync();
        var counters = new PushCounters();
        var profiler = new StreamProfiler();
        foreach (var tag in clip)
        {
            counters.Add(tag, tag.Body.Length);
            profiler.Observe(counters.Sample());
        }

        var sent = profiler.Current;
        Assert.NotNull(sent);
        Assert.Equal("h264", sent.VideoCodec);
        Assert.Equal((640, 360), (sent.Width, sent.Height));
        Assert.Equal(["Douyin is watched in portrait 9:16, the picture is 640x360; give the destination a profile with aspect 9:16"],
            PlatformChecks.Evaluate(PlatformPreset.For("douyin"), sent, null));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("douyu"), sent, null));
        var vertical = new EgressProfile(Aspect: "9:16", MaxWidth: 720, MaxHeight: 1280);
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("xiaohongshu"), sent, vertical));
        Assert.Equal((202, 360), PlatformChecks.SentPicture(sent, vertical));
    }
}
