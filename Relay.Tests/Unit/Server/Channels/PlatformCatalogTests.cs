using System.Text.RegularExpressions;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Platforms;
using Relay.Server.Channels;

namespace Relay.Tests.Unit.Server.Channels;

/// <summary>The platforms of issue 15 beside the first ones: names in both languages, per-show URLs, the picture checks.</summary>
public sealed partial class PlatformCatalogTests
{
    private static readonly string[] Added = ["yy", "yizhibo", "weixin-channels", "taobao", "xiaohongshu", "jd", "huya", "douyu", "weibo"];

    [Fact]
    public void Every_platform_has_a_name_in_every_page_language()
    {
        Assert.Equal(["zh-CN", "en"], PlatformCatalog.Languages);
        foreach (var preset in PlatformPreset.All.Values)
        {
            var names = PlatformCatalog.NamesOf(preset);
            Assert.Equal(PlatformCatalog.Languages, names.Keys);
            Assert.Equal(preset.DisplayName, names["en"]);
            // A name of its own, not the English one copied over, except for brands that are written in Latin letters in China too.
            if (preset.Id is not ("twitch")) Assert.Matches(Han(), names["zh-CN"]);
        }
        Assert.Equal("抖音", PlatformCatalog.NamesOf(PlatformPreset.For("douyin"))["zh-CN"]);
        Assert.Equal("视频号", PlatformCatalog.NamesOf(PlatformPreset.For("weixin-channels"))["zh-CN"]);
        Assert.Equal("YY直播", PlatformCatalog.NamesOf(PlatformPreset.For("yy"))["zh-CN"]);
    }

    [Fact]
    public void The_platforms_of_this_market_issue_their_url_per_show_and_say_where()
    {
        var generic = PlatformCatalog.UrlHint(PlatformPreset.For("custom"));
        foreach (var id in Added.Concat(["douyin", "kuaishou", "tiktok"]))
        {
            var preset = PlatformCatalog.Find(id);
            Assert.NotNull(preset);
            Assert.True(preset.UrlPerShow, id);
            Assert.Null(preset.DefaultUrl);
            Assert.NotEqual(generic, PlatformCatalog.UrlHint(preset));
            Assert.True(preset.RequiresH264Aac, id);
            Assert.Equal(2, preset.MaxKeyframeIntervalSeconds);
            Assert.Equal(1080, preset.MaxShortSidePixels);
        }
        foreach (var id in new[] { "youtube", "twitch", "facebook", "bilibili" })
        {
            Assert.False(PlatformPreset.For(id).UrlPerShow, id);
            Assert.NotNull(PlatformPreset.For(id).DefaultUrl);
        }
        Assert.False(PlatformPreset.For("custom").UrlPerShow);
        Assert.Equal(["tiktok", "douyin", "kuaishou", "weixin-channels", "taobao", "xiaohongshu", "jd"],
            PlatformPreset.All.Values.Where(p => p.Vertical).Select(p => p.Id));
    }

    [Fact]
    public void A_per_show_platform_without_its_url_is_refused_with_where_to_find_it()
    {
        var errors = new List<FieldError>();
        InputRules.CheckDestination("视频号", "weixin-channels", null, "key", null, null, "", errors);
        var error = Assert.Single(errors);
        Assert.Equal("url", error.Field);
        Assert.Contains("视频号助手", error.Message, StringComparison.Ordinal);

        errors.Clear();
        InputRules.CheckDestination("视频号", "weixin-channels", "rtmp://push.example.com/live", "key", null, null, "", errors);
        Assert.Empty(errors);
    }

    [Fact]
    public void A_vertical_platform_flags_a_landscape_picture_and_a_9_16_profile_clears_it()
    {
        var landscape = new StreamProfile("h264", "aac", true, true, 2, 3000, Width: 1280, Height: 720);
        Assert.Equal(["Taobao Live is watched in portrait 9:16, the picture is 1280x720; give the destination a profile with aspect 9:16"],
            PlatformChecks.Evaluate(PlatformPreset.For("taobao"), landscape, null));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("huya"), landscape, null));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("taobao"), landscape with { Width = 1080, Height = 1920 }, null));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("taobao"), landscape, new EgressProfile(Aspect: "9:16")));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("jd"), landscape, new EgressProfile(Aspect: "9:16-pad", MaxWidth: 720, MaxHeight: 1280)));
        // A portrait picture that is not 9:16 (3:4) is flagged too; unknown sizes (HEVC) are not judged.
        Assert.Single(PlatformChecks.Evaluate(PlatformPreset.For("douyin"), landscape with { Width = 960, Height = 1280 }, null));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("douyin"), landscape with { Width = null, Height = null }, null));
    }

    [Fact]
    public void Resolution_bitrate_and_keyframes_are_judged_on_what_the_platform_receives()
    {
        var big = new StreamProfile("h264", "aac", true, true, 4, 12000, Width: 2560, Height: 1440);
        Assert.Equal([
            "keyframe interval 4 s exceeds Huya's 2 s",
            "video bitrate 12000 kbps exceeds Huya's 10000 kbps",
            "resolution 2560x1440 exceeds Huya's 1080p",
        ], PlatformChecks.Evaluate(PlatformPreset.For("huya"), big, null));
        // The transcode fixes all three: fit into 1920x1080, 6000 kbps, 2 s keyframes.
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("huya"), big,
            new EgressProfile(VideoBitrateKbps: 6000, MaxWidth: 1920, MaxHeight: 1080, KeyframeIntervalSeconds: 2)));
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("youtube"), big with { KeyframeIntervalSeconds = 2 }, null));
        Assert.Equal(["video bitrate 8000 kbps exceeds Weibo Live's 6000 kbps"],
            PlatformChecks.Evaluate(PlatformPreset.For("weibo"), big with { KeyframeIntervalSeconds = 2, VideoBitrateKbps = 8000, Width = 1920, Height = 1080 }, null));
    }

    [Theory]
    [InlineData(640, 360, null, null, "9:16", 202, 360)] // the crop ffprobe measures in the egress test
    [InlineData(1920, 1080, 720, 1280, "9:16", 606, 1080)] // no upscaling: the box only shrinks
    [InlineData(1920, 1080, null, null, "9:16-pad", 1920, 3412)]
    [InlineData(1920, 1080, 1280, 720, null, 1280, 720)]
    [InlineData(1080, 1920, 720, 1280, "9:16", 720, 1280)]
    public void The_sent_picture_follows_the_transcode_crop_pad_and_fit(int w, int h, int? maxW, int? maxH, string? aspect, int sentW, int sentH)
    {
        var ingest = new StreamProfile("h264", "aac", true, true, 2, 3000, w, h);
        Assert.Equal((sentW, sentH), PlatformChecks.SentPicture(ingest, new EgressProfile(MaxWidth: maxW, MaxHeight: maxH, Aspect: aspect)));
        Assert.Equal((w, h), PlatformChecks.SentPicture(ingest, null));
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();
}
