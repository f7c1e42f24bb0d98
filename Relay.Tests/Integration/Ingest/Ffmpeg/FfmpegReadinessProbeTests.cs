using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Ingest.Ffmpeg;

public class FfmpegReadinessProbeTests
{
    [Fact]
    public async Task Reports_the_installed_ffmpeg_as_usable_with_its_version()
    {
        FfmpegAvailability.SkipIfMissing();
        var probe = new FfmpegReadinessProbe(Options.Create(new IngestOptions()), TimeProvider.System);
        var result = await probe.CheckAsync(TestContext.Current.CancellationToken);
        Assert.True(result.Usable, result.Problem);
        Assert.StartsWith("ffmpeg version", result.Version);
    }

    [Fact]
    public async Task Names_the_config_key_when_the_binary_is_missing()
    {
        var probe = new FfmpegReadinessProbe(Options.Create(new IngestOptions { FfmpegPath = "/nonexistent/ffmpeg" }), TimeProvider.System);
        var result = await probe.CheckAsync(TestContext.Current.CancellationToken);
        Assert.False(result.Usable);
        Assert.Contains("Relay:Ingest:FfmpegPath", result.Problem);
    }
}
