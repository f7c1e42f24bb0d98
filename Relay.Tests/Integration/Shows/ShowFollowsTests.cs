using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Integration.Chat;

namespace Relay.Tests.Integration.Shows;

/// <summary>
/// A show's report counts the first follows made during the show (issue 16): a viewer who follows, unfollows and
/// follows again is one, a viewer who first followed before the show is none.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ShowFollowsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string JwtKey = "viewer-jwt-key-for-the-show-report-0123456789";

    [Fact]
    public async Task The_report_counts_the_first_follows_during_the_show()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync("--Relay:Shows:SampleSeconds=1", $"--Relay:Auth:ViewerJwtKey={JwtKey}");
        using var admin = server.AdminClient();
        var demo = server.Channels.Find("demo")!;

        await FollowAsync(server, "fan-before", ct, "Follow");
        var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 60);
        string showId;
        try
        {
            var shows = await WaitForAsync(admin, "/api/v1/channels/demo/shows", list => list.GetArrayLength() == 1, ct);
            showId = shows[0].GetProperty("showId").GetString()!;
            await FollowAsync(server, "fan-1", ct, "Follow", "Unfollow", "Follow");
            await FollowAsync(server, "fan-2", ct, "Follow", "Follow");
            await FollowAsync(server, "fan-before", ct, "Unfollow", "Follow");
            var live = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/demo/shows/{showId}/report", ct)).RootElement;
            Assert.Equal(2, live.GetProperty("follows").GetInt32());
        }
        finally
        {
            publisher.Dispose();
        }
        await WaitForAsync(admin, "/api/v1/channels/demo/shows", list => list[0].GetProperty("endedAt").ValueKind == JsonValueKind.String, ct);
        // After the show, a new first follow is not the show's.
        await FollowAsync(server, "fan-after", ct, "Follow");
        var report = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/demo/shows/{showId}/report", ct)).RootElement;
        Assert.Equal(2, report.GetProperty("follows").GetInt32());
        var csv = await admin.GetStringAsync($"/api/v1/channels/demo/shows/{showId}/report?format=csv", ct);
        Assert.Contains("follows,2", csv);
    }

    private static async Task FollowAsync(RelayTestServer server, string sub, CancellationToken ct, params string[] calls)
    {
        var token = PurchaseTests.Token(sub, sub, DateTime.UtcNow.AddMinutes(30), JwtKey);
        await using var fan = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        await fan.StartAsync(ct);
        await fan.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct);
        foreach (var call in calls) await fan.InvokeAsync<FollowResult>(call, ct);
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string path, Func<JsonElement, bool> done, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Wait;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = JsonDocument.Parse(await client.GetStringAsync(path, ct)).RootElement;
            if (done(last)) return last;
            await Task.Delay(200, ct);
        }
        Assert.Fail($"{path} never reached the expected state; last: {last}");
        return last;
    }
}
