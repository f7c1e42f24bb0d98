using Microsoft.Playwright;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// Issue 17 in the studio, in Chinese and English: which input is on air (the main stream with the backup ready, the
/// backup after the main encoder is killed, the slate after both are gone), and the backup key copied by its button.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class StudioOnAirBrowserTests
{
    [Fact]
    public async Task The_studio_shows_what_is_on_air_through_a_failover_and_the_slate_in_both_languages()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync($"--{TestHost.SlateSecondsKey}=30", "--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        Assert.NotNull(demo.BackupStreamKey);
        using var primary = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 90);
        await PagesBrowserTests.WaitForLiveAsync(server, ct);
        using var backup = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.BackupStreamKey}", seconds: 90);

        var chinese = await chromium.NewPageAsync(server.BaseAddress, 1280, 900, permissions: ["clipboard-read", "clipboard-write"], locale: "zh-CN");
        await StudioSetupBrowserTests.SignInAsync(chinese, demo.HostKey);
        await Assertions.Expect(chinese.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(chinese.Locator("#st-on-air")).ToHaveTextAsync("主推流（备用推流已就绪）", new() { Timeout = 15_000 });
        await Assertions.Expect(chinese.Locator("#backup-key-masked")).ToContainTextAsync(demo.BackupStreamKey![^4..]);
        Assert.DoesNotContain(demo.BackupStreamKey, await chinese.ContentAsync());
        await chinese.Locator("#copy-backup-key").ClickAsync();
        await Assertions.Expect(chinese.Locator("#copy-status")).ToHaveTextAsync("已复制备用推流码。");
        Assert.Equal(demo.BackupStreamKey, await chinese.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        var english = await chromium.NewPageAsync(server.BaseAddress, 1280, 900);
        await StudioSetupBrowserTests.SignInAsync(english, demo.HostKey);
        await Assertions.Expect(english.Locator("#st-on-air")).ToHaveTextAsync("Main stream (backup ready)", new() { Timeout = 15_000 });

        primary.Dispose();
        await Assertions.Expect(chinese.Locator("#st-on-air")).ToHaveTextAsync("备用推流", new() { Timeout = 15_000 });
        await Assertions.Expect(english.Locator("#st-on-air")).ToHaveTextAsync("Backup stream", new() { Timeout = 15_000 });

        backup.Dispose();
        await Assertions.Expect(chinese.Locator("#st-on-air")).ToHaveTextAsync("垫片画面：等待推流恢复", new() { Timeout = 15_000 });
        await Assertions.Expect(english.Locator("#st-on-air")).ToHaveTextAsync("Slate: waiting for the stream to come back", new() { Timeout = 15_000 });
        await Assertions.Expect(english.Locator("#st-on-air")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("warn"));
    }
}
