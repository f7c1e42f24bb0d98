using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Relay.Ingest.Configuration;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Ingest;

/// <summary>RTMPS ingest: TLS terminated by the gateway with a configured certificate, then the same path as RTMP.</summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class GatewayRtmpsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _certificatePath = Path.Combine(Path.GetTempPath(), $"relay-rtmps-{Guid.NewGuid():N}.pfx");

    [Fact]
    public async Task A_real_ffmpeg_publishes_over_RTMPS_and_plain_RTMP_keeps_working()
    {
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(_certificatePath, certificate.Export(X509ContentType.Pkcs12, "pw"), Ct);
        }

        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:RtmpsPort"] = "0",
            ["Relay:Ingest:RtmpsCertificatePath"] = _certificatePath,
            ["Relay:Ingest:RtmpsCertificatePassword"] = "pw",
        });
        var rtmpsPort = host.Gateway.RtmpsEndPoint!.Port;

        using (var publisher = FfmpegPublisher.Start($"rtmps://127.0.0.1:{rtmpsPort}/live/{IngestTestHost.DemoKey}", seconds: 3))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            await host.AssertKeyframeArrivesAsync("demo", "media arrived over RTMPS");
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(publisher.ExitCode == 0, publisher.Stderr);
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));

        // Plain RTMP on the TLS port is refused as a protocol error rather than hanging.
        await using (var plain = await RawRtmpClient.ConnectAsync(rtmpsPort, Ct))
        {
            await plain.SendAsync(new byte[RtmpHandshake.C0C1Size], Ct);
            Assert.NotNull(await plain.WaitForCloseAsync(TimeSpan.FromSeconds(6), Ct));
        }

        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    public void Dispose() => File.Delete(_certificatePath);
}
