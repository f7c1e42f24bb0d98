using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Platforms;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Transcode;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Egress;

public sealed class EgressUnitTests
{
    [Theory]
    [InlineData("rtmp://a.example.com/live2", "abcd-key", "a.example.com", 1935, false, "live2", "abcd-key")]
    [InlineData("rtmps://live-api-s.facebook.com:443/rtmp", "FB-123?s_bl=1", "live-api-s.facebook.com", 443, true, "rtmp", "FB-123?s_bl=1")]
    [InlineData("rtmp://127.0.0.1:1936/live/mykey", null, "127.0.0.1", 1936, false, "live", "mykey")]
    [InlineData("rtmp://push.example.com/live/sub/mykey", "", "push.example.com", 1935, false, "live/sub", "mykey")]
    [InlineData("rtmps://x.example.com/app", "k", "x.example.com", 443, true, "app", "k")]
    public void Push_targets_split_url_and_key_like_obs(string url, string? key, string host, int port, bool tls, string app, string name)
    {
        Assert.True(RtmpPushTarget.TryParse(url, key, out var target, out var error), error);
        Assert.Equal((host, port, tls, app, name), (target!.Host, target.Port, target.UseTls, target.App, target.PublishName));
        Assert.DoesNotContain(name, target.ToString());
    }

    [Theory]
    [InlineData("http://x/live", "k")]
    [InlineData("rtmp://x/", "k")]
    [InlineData("rtmp://x/live", null)]
    [InlineData("not a url", "k")]
    public void Bad_targets_are_refused_with_a_reason(string url, string? key)
    {
        Assert.False(RtmpPushTarget.TryParse(url, key, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("rtmp://user:pass@host:1935/live/secretkey", "rtmp://host:1935/live/****")]
    [InlineData("rtmps://host/app/sub/secretkey?token=abc&x=1", "rtmps://host/app/sub/****?token=****&x=****")]
    [InlineData("rtmp://host/live", "rtmp://host/live")]
    [InlineData("garbage secretkey", "****")]
    public void Urls_are_redacted_before_logging(string url, string expected)
    {
        Assert.Equal(expected, UrlRedactor.Redact(url));
    }

    [Fact]
    public void Destination_ToString_never_shows_the_key()
    {
        var d = new EgressDestination("d", "n", "youtube", "rtmp://h/live/urlkey", "streamkey", true);
        Assert.DoesNotContain("streamkey", d.ToString());
        Assert.DoesNotContain("urlkey", d.ToString());
    }

    [Fact]
    public void Options_validator_reports_every_problem_and_startup_fails()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:Egress:QueueCapacity"] = "1",
            ["Relay:Egress:BackoffBaseSeconds"] = "10",
            ["Relay:Egress:BackoffCapSeconds"] = "5",
            ["Relay:Egress:StallTimeoutSeconds"] = "0",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddRelayEgress(config).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EgressOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.StartsWith("Relay:Egress:QueueCapacity", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Relay:Egress:BackoffCapSeconds", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Relay:Egress:StallTimeoutSeconds", StringComparison.Ordinal));
        Assert.Equal(3, ex.Failures.Count());
    }

    [Fact]
    public void Default_options_are_valid()
    {
        Assert.True(new EgressOptionsValidator().Validate(null, new EgressOptions()).Succeeded);
    }

    [Fact]
    public void Platform_checks_flag_gop_bitrate_tracks_and_codecs()
    {
        var ingest = new StreamProfile("h264", null, HasVideo: true, HasAudio: false, KeyframeIntervalSeconds: 4, VideoBitrateKbps: 8000);

        var twitch = PlatformChecks.Evaluate(PlatformPreset.For("twitch"), ingest, null);
        Assert.Contains(twitch, w => w.Contains("keyframe interval 4 s", StringComparison.Ordinal));
        Assert.Contains(twitch, w => w.Contains("6000 kbps", StringComparison.Ordinal));
        var facebook = PlatformChecks.Evaluate(PlatformPreset.For("facebook"), ingest, null);
        Assert.Contains(facebook, w => w.Contains("no audio", StringComparison.Ordinal));
        Assert.DoesNotContain(facebook, w => w.Contains("kbps", StringComparison.Ordinal)); // 8000 < 9000
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("custom"), ingest, null));
        var hevc = ingest with { VideoCodec = "hevc", HasAudio = true, AudioCodec = "aac", KeyframeIntervalSeconds = 2, VideoBitrateKbps = 3000 };
        // YouTube takes HEVC over Enhanced RTMP; Twitch (outside its Enhanced Broadcasting beta) does not.
        Assert.Empty(PlatformChecks.Evaluate(PlatformPreset.For("youtube"), hevc, null));
        Assert.Equal(["Twitch expects H.264 video, the stream is hevc"], PlatformChecks.Evaluate(PlatformPreset.For("twitch"), hevc, null));
        // A transcoding profile fixes GOP and bitrate: judged on the profile's values.
        var profile = new EgressProfile(VideoBitrateKbps: 2500, KeyframeIntervalSeconds: 2);
        Assert.DoesNotContain(PlatformChecks.Evaluate(PlatformPreset.For("twitch"), ingest, profile), w => w.Contains("keyframe", StringComparison.Ordinal) || w.Contains("kbps", StringComparison.Ordinal));
        Assert.Equal("custom", PlatformPreset.LabelFor("myspace"));
    }

    [Fact]
    public void Ffmpeg_arguments_for_a_9_16_profile_and_for_plain_engine_ffmpeg_never_name_the_destination()
    {
        var transcode = string.Join(' ', FfmpegArguments.BuildTranscode(new EgressProfile(2500, 720, 1280, 30, 2, "9:16", 96)));
        Assert.Contains("-b:v 2500k -maxrate 2500k -bufsize 5000k", transcode);
        Assert.Contains("crop=", transcode);
        Assert.Contains("-r 30", transcode);
        Assert.Contains("n_forced*2", transcode);
        Assert.Contains("-b:a 96k", transcode);
        // engine: ffmpeg without a profile: a remux, FLV in and out on pipes; the native pusher publishes.
        var copy = string.Join(' ', FfmpegArguments.BuildTranscode(null));
        Assert.Contains("-c:v copy", copy);
        Assert.Contains("-c:a copy", copy);
        Assert.EndsWith("-f flv pipe:1", copy);
        Assert.DoesNotContain("rtmp", transcode + copy, StringComparison.Ordinal);
    }
}

public sealed class EgressDestinationValidatorTests
{
    [Fact]
    public void A_good_destination_passes_and_a_bad_one_names_every_field()
    {
        Assert.Empty(EgressDestinationValidator.Validate(new("d", "n", "twitch", "rtmps://live.twitch.tv:443/app", "k", true, new EgressProfile(2500, Aspect: "9:16"))));

        var errors = EgressDestinationValidator.Validate(new("", "n", "myspace", "http://x/app", "k", true, new EgressProfile(VideoBitrateKbps: 10, Aspect: "4:3"), "gstreamer"));

        Assert.Equal(["engine", "id", "platform", "profile.aspect", "profile.videoBitrateKbps", "url"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    /// <summary>The validator holds the profile rules the REST API and configuration answer with, not looser ones of its own.</summary>
    [Theory]
    [InlineData(32, null, null, null, "profile.maxWidth", "must be between 64 and 7680")]
    [InlineData(null, 5000, null, null, "profile.maxHeight", "must be between 64 and 4320")]
    [InlineData(null, null, 24, null, "profile.audioBitrateKbps", "must be between 32 and 512")]
    [InlineData(null, null, null, double.NaN, "profile.keyframeIntervalSeconds", "must be between 0.5 and 10")]
    public void Profile_ranges_are_the_ones_the_api_states(int? maxWidth, int? maxHeight, int? audioKbps, double? keyframeSeconds, string field, string message)
    {
        var errors = EgressDestinationValidator.ValidateSettings(EgressEngines.Auto,
            new EgressProfile(MaxWidth: maxWidth, MaxHeight: maxHeight, AudioBitrateKbps: audioKbps, KeyframeIntervalSeconds: keyframeSeconds));

        Assert.Equal([(field, message)], errors);
        Assert.Equal([("engine", "must be 'auto' or 'ffmpeg'")], EgressDestinationValidator.ValidateSettings("gstreamer", null));
    }
}

public sealed class EgressCompositionTests
{
    [Fact]
    public async Task AddRelayEgress_after_AddRelayIngest_resolves_the_manager_the_source_resolver_and_the_live_observer()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:DataDir"] = Directory.CreateTempSubdirectory("relay-egress-di-").FullName,
            ["Relay:Egress:QueueCapacity"] = "300",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        Relay.Ingest.IngestServiceCollectionExtensions.AddRelayIngest(services, config);
        services.AddRelayEgress(config);
        // The manager stops its pushes in DisposeAsync: hosts dispose the container asynchronously.
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<EgressManager>());
        Assert.IsType<Relay.Ingest.Egress.Source.LiveChannelEgressSources>(provider.GetRequiredService<Relay.Ingest.Egress.Source.IEgressSourceResolver>());
        Assert.Contains(provider.GetServices<Relay.Ingest.Streams.ILiveChannelObserver>(), o => o is EgressLiveChannelObserver);
        Assert.Equal(300, provider.GetRequiredService<IOptions<EgressOptions>>().Value.QueueCapacity);
        Assert.Equal(EgressState.Idle, provider.GetRequiredService<EgressManager>().GetStatus("nope", "x").State);
    }
}
