using Relay.Ingest.Configuration;
using Relay.Ingest.Srt;

namespace Relay.Tests.Unit.Ingest.Srt;

public class SrtStreamIdTests
{
    [Theory]
    [InlineData("publish:live/KEY", "live", "KEY")]
    [InlineData("publish:live/KEY?bandwidthtest", "live", "KEY?bandwidthtest")]
    [InlineData("#!::r=live/KEY,m=publish", "live", "KEY")]
    [InlineData("#!::m=publish,u=advisor,r=live/KEY", "live", "KEY")]
    [InlineData("publish:other/KEY", "other", "KEY")]
    [InlineData("publish:live/", "live", "")]
    public void Both_contract_forms_give_the_app_and_the_publish_name(string streamId, string app, string name)
    {
        Assert.True(SrtStreamId.TryParse(streamId, out var parsed, out var error), error);
        Assert.Equal(app, parsed.App);
        Assert.Equal(name, parsed.PublishName);
        Assert.DoesNotContain("KEY", parsed.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("live/SECRET")]
    [InlineData("read:live/SECRET")]
    [InlineData("publish:SECRET")]
    [InlineData("publish:/SECRET")]
    [InlineData("#!::r=live/SECRET")]
    [InlineData("#!::r=live/SECRET,m=request")]
    [InlineData("#!::r=live/SECRET,m=publish,x=1")]
    [InlineData("#!::r=live/SECRET,m")]
    [InlineData("#!::m=publish")]
    public void Anything_else_is_malformed_with_a_reason_that_never_echoes_the_key(string? streamId)
    {
        Assert.False(SrtStreamId.TryParse(streamId, out _, out var error));
        Assert.NotEmpty(error);
        Assert.DoesNotContain("SECRET", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_streamid_longer_than_libsrt_carries_is_malformed()
    {
        Assert.False(SrtStreamId.TryParse("publish:live/" + new string('k', SrtStreamId.MaxLength), out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_is_MPEG_TS_only_when_it_is_whole_packets_each_with_the_sync_byte()
    {
        var good = new byte[7 * 188];
        for (var i = 0; i < good.Length; i += 188)
        {
            good[i] = 0x47;
        }

        Assert.True(SrtPublisherConnection.IsTransportStream(good));
        Assert.False(SrtPublisherConnection.IsTransportStream(good.AsSpan(0, 1000)));
        Assert.False(SrtPublisherConnection.IsTransportStream([]));
        good[188 * 3] = 0x48;
        Assert.False(SrtPublisherConnection.IsTransportStream(good));
    }

    [Theory]
    [InlineData(-1, 300, "Relay:Ingest:SrtPort must be 0-65535, 0 = off (got -1)")]
    [InlineData(9710, 10, "Relay:Ingest:SrtLatencyMs must be 20-8000 (got 10)")]
    public void Bad_SRT_settings_are_startup_errors(int port, int latency, string expected)
    {
        var result = new IngestOptionsValidator().Validate(null, new IngestOptions { SrtPort = port, SrtLatencyMs = latency });
        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void SRT_is_on_at_9710_with_300_ms_by_default()
    {
        var options = new IngestOptions();
        Assert.Equal(9710, options.SrtPort);
        Assert.Equal(300, options.SrtLatencyMs);
        Assert.True(new IngestOptionsValidator().Validate(null, options).Succeeded);
    }
}
