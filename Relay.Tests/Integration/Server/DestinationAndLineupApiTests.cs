using System.Net;
using System.Text;
using System.Text.Json;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

public sealed class DestinationAndLineupApiTests : RelayServerTest
{
    [Fact]
    public async Task Destination_lifecycle_add_patch_list_delete()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var created = await admin.PostAsync("/api/v1/channels/demo/destinations",
            Json("""{"name":"Twitch main","platform":"twitch","streamKey":"live_123456_secretsecret","enabled":true}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var d = await ReadAsync(created);
        Assert.Equal("twitch-main", d.GetProperty("id").GetString());
        Assert.Equal("rtmps://live.twitch.tv:443/app", d.GetProperty("url").GetString());
        Assert.Equal("****cret", d.GetProperty("streamKey").GetString());
        Assert.Equal("idle", d.GetProperty("state").GetString());

        var patched = await admin.PatchAsync("/api/v1/channels/demo/destinations/twitch-main",
            Json("""{"enabled":false,"profile":{"videoBitrateKbps":2500,"aspect":"9:16"}}"""), ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var p = await ReadAsync(patched);
        Assert.False(p.GetProperty("enabled").GetBoolean());
        Assert.Equal("disabled", p.GetProperty("state").GetString());
        Assert.Equal(2500, p.GetProperty("profile").GetProperty("videoBitrateKbps").GetInt32());

        var list = await ReadAsync(await admin.GetAsync("/api/v1/channels/demo/destinations", ct));
        Assert.Single(list.EnumerateArray());
        Assert.DoesNotContain("live_123456_secretsecret", list.GetRawText());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/channels/demo/destinations/twitch-main", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/channels/demo/destinations/twitch-main", ct)).StatusCode);
        Assert.Empty(Server.Channels.Find("demo")!.Destinations);
    }

    [Fact]
    public async Task A_key_carried_in_the_url_is_redacted_too()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var d = await ReadAsync(await admin.PostAsync("/api/v1/channels/demo/destinations",
            Json("""{"name":"Custom","platform":"custom","url":"rtmp://media.example.com:1936/app/inurlsecret99?token=abc"}"""), ct));
        var url = d.GetProperty("url").GetString()!;
        Assert.DoesNotContain("inurlsecret99", url);
        Assert.DoesNotContain("abc", url);
        Assert.StartsWith("rtmp://media.example.com:1936/app/****", url);
    }

    [Theory]
    [InlineData("""{"name":"x","platform":"myspace"}""", "platform")]
    [InlineData("""{"name":"x","platform":"custom","url":"http://example.com/app"}""", "url")]
    [InlineData("""{"name":"x","platform":"custom"}""", "url")]
    [InlineData("""{"name":"x","platform":"tiktok"}""", "url")]
    [InlineData("""{"name":"x","platform":"weixin-channels","streamKey":"k"}""", "url")] // per-show: the host pastes the URL
    [InlineData("""{"name":"x","platform":"Douyu","url":"rtmp://sendtc3.douyu.com/live"}""", "platform")] // ids are exact
    [InlineData("""{"name":"x","platform":"facebook","url":"rtmp://live-api-s.facebook.com/rtmp/"}""", "url")]
    [InlineData("""{"name":"x","platform":"custom","url":"rtmp://user:pw@host/app"}""", "url")]
    [InlineData("""{"name":"","platform":"twitch"}""", "name")]
    [InlineData("""{"name":"x","platform":"twitch","engine":"gstreamer"}""", "engine")]
    [InlineData("""{"name":"x","platform":"twitch","profile":{"fps":500}}""", "profile.fps")]
    [InlineData("""{"name":"x","platform":"twitch","profile":{"aspect":"4:3"}}""", "profile.aspect")]
    [InlineData("""{"name":"x","platform":"twitch","profile":{"speed":2}}""", "profile.speed")]
    [InlineData("""{"name":"x","platform":"twitch","enabled":"yes"}""", "enabled")]
    [InlineData("""{"name":"x","platform":"twitch","streamKey":"live_1 swfUrl=http://evil/ swfVfy=1"}""", "streamKey")] // review M8
    [InlineData("""{"name":"x","platform":"twitch","streamKey":"live_1\tkey"}""", "streamKey")]
    [InlineData("""{"name":"x","platform":"twitch","streamKey":"live_1\u00a0key"}""", "streamKey")]
    public async Task Invalid_destinations_get_400_naming_the_field_and_change_nothing(string json, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var response = await admin.PostAsync("/api/v1/channels/demo/destinations", Json(json), ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ReadAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Empty(Server.Channels.Find("demo")!.Destinations);
    }

    [Fact]
    public async Task Patch_that_would_break_a_destination_is_refused_and_duplicates_conflict()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        await admin.PostAsync("/api/v1/channels/demo/destinations", Json("""{"id":"yt","name":"YouTube","platform":"youtube","streamKey":"aaaa-bbbb-cccc"}"""), ct);
        var bad = await admin.PatchAsync("/api/v1/channels/demo/destinations/yt", Json("""{"url":"ftp://nope/x"}"""), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("rtmps://a.rtmps.youtube.com:443/live2", Server.Channels.Find("demo")!.Destinations[0].Url);
        var dup = await admin.PostAsync("/api/v1/channels/demo/destinations", Json("""{"id":"yt","name":"Again","platform":"twitch","streamKey":"live_again_123"}"""), ct);
        Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PatchAsync("/api/v1/channels/demo/destinations/none", Json("{}"), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/channels/nochannel/destinations", ct)).StatusCode);
    }

    [Fact]
    public async Task Lineup_put_replaces_the_products_and_validates_each_item()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var ok = await admin.PutAsync("/api/v1/channels/demo/lineup",
            Json("""[{"sku":"A-1","title":"Lipstick","priceCents":1999,"currency":"EUR","stock":5,"memberPriceCents":1799},{"sku":"B-2","title":"Serum","priceCents":4500,"currency":"EUR","imageUrl":"https://cdn.example.com/b.png"}]"""), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var lineup = Server.Channels.Find("demo")!.Lineup;
        Assert.Equal(["A-1", "B-2"], lineup.Select(i => i.Sku));
        Assert.Null(lineup[1].Stock);
        Assert.Equal([1799L, null], lineup.Select(i => i.MemberPriceCents));
        var answered = (await ReadAsync(ok)).EnumerateArray().ToList();
        Assert.Equal(1799, answered[0].GetProperty("memberPriceCents").GetInt64());

        var bad = await admin.PutAsync("/api/v1/channels/demo/lineup",
            Json("""[{"sku":"A-1","title":"x","priceCents":-5,"currency":"eur","stock":-1},{"sku":"A-1","title":"y","priceCents":1,"currency":"EUR","imageUrl":"javascript:alert(1)"},{"sku":"C-3","title":"z","priceCents":100,"currency":"EUR","memberPriceCents":101},{"sku":"D-4","title":"w","priceCents":100,"currency":"EUR","memberPriceCents":-1}]"""), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await ReadAsync(bad)).GetProperty("errors");
        foreach (var field in new[] { "[0].priceCents", "[0].currency", "[0].stock", "[1].sku", "[1].imageUrl", "[2].memberPriceCents", "[3].memberPriceCents" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field + " in " + errors.GetRawText());
        }
        Assert.Equal(["A-1", "B-2"], Server.Channels.Find("demo")!.Lineup.Select(i => i.Sku));
    }

    /// <summary>L14: browsers read '\' as '/', so "/\host/x.png" is another host, not a path of this one.</summary>
    [Theory]
    [InlineData("/\\evil.example/x.png")]
    [InlineData("/img/..\\x.png")]
    [InlineData("//evil.example/x.png")]
    public async Task An_image_path_with_a_backslash_or_two_slashes_is_refused(string imageUrl)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var before = Server.Channels.Find("demo")!.Lineup;
        var body = System.Text.Json.JsonSerializer.Serialize(new[] { new { sku = "A-1", title = "x", priceCents = 1, currency = "EUR", imageUrl } });
        using var bad = await admin.PutAsync("/api/v1/channels/demo/lineup", Json(body), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await ReadAsync(bad)).GetProperty("errors").TryGetProperty("[0].imageUrl", out _));
        Assert.Equal(before, Server.Channels.Find("demo")!.Lineup);

        using var ok = await admin.PutAsync("/api/v1/channels/demo/lineup",
            Json("""[{"sku":"A-1","title":"x","priceCents":1,"currency":"EUR","imageUrl":"/img/a.png"}]"""), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Channels_destinations_and_lineup_survive_a_restart_with_secrets_encrypted_at_rest()
    {
        var ct = TestContext.Current.CancellationToken;
        string streamKey;
        using (var admin = Server.AdminClient())
        {
            var created = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Persist me","id":"persist"}"""), ct));
            streamKey = created.GetProperty("streamKey").GetString()!;
            await admin.PostAsync("/api/v1/channels/persist/destinations",
                Json("""{"id":"bili","name":"Bilibili","platform":"bilibili","streamKey":"bili-secret-key-777"}"""), ct);
            await admin.PutAsync("/api/v1/channels/persist/lineup", Json("""[{"sku":"Z","title":"Zed","priceCents":100,"currency":"CNY","stock":3,"memberPriceCents":80}]"""), ct);
        }
        var adminToken = Server.AdminToken;
        await Server.RestartAsync();

        Assert.Equal(adminToken, Server.AdminToken);
        var channel = Server.Channels.Find("persist")!;
        Assert.Equal(streamKey, channel.StreamKey);
        Assert.Equal("bili-secret-key-777", channel.Destinations.Single().StreamKey);
        Assert.Equal(3, channel.Lineup.Single().Stock);
        Assert.Equal(80, channel.Lineup.Single().MemberPriceCents);
        Assert.NotNull(Server.Channels.Find("demo"));

        var rawDb = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(Server.DataDir, "relay.db"), ct));
        var wal = Path.Combine(Server.DataDir, "relay.db-wal");
        var rawWal = File.Exists(wal) ? Encoding.Latin1.GetString(await File.ReadAllBytesAsync(wal, ct)) : "";
        Assert.DoesNotContain(streamKey, rawDb + rawWal);
        Assert.DoesNotContain("bili-secret-key-777", rawDb + rawWal);
        Assert.Contains("persist", rawDb + rawWal);
    }

    [Fact]
    public async Task Platforms_lists_the_presets_the_server_fills_in()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        var platforms = await ReadAsync(await anonymous.GetAsync("/api/v1/platforms", ct));
        var twitch = platforms.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "twitch");
        Assert.Equal(6000, twitch.GetProperty("maxVideoBitrateKbps").GetInt32());

        using var admin = Server.AdminClient();
        var created = await ReadAsync(await admin.PostAsync("/api/v1/channels/demo/destinations",
            Json("""{"name":"Twitch","platform":"twitch","streamKey":"live_preset_check"}"""), ct));
        Assert.Equal(twitch.GetProperty("defaultUrl").GetString(), created.GetProperty("url").GetString());
        Assert.Equal(["youtube", "twitch", "facebook", "tiktok", "douyin", "kuaishou", "bilibili", "weixin-channels", "taobao", "xiaohongshu",
            "jd", "huya", "douyu", "yy", "weibo", "yizhibo", "custom"], platforms.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Platforms_carry_names_in_both_languages_whether_the_url_is_per_show_and_their_checks()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        var platforms = (await ReadAsync(await anonymous.GetAsync("/api/v1/platforms", ct))).EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetString()!);

        var douyin = platforms["douyin"];
        Assert.Equal("""{"zh-CN":"抖音","en":"Douyin"}""", douyin.GetProperty("names").GetRawText());
        Assert.Equal("视频号", platforms["weixin-channels"].GetProperty("names").GetProperty("zh-CN").GetString());
        Assert.Equal("Weixin Channels", platforms["weixin-channels"].GetProperty("names").GetProperty("en").GetString());
        Assert.All(platforms.Values, p =>
        {
            Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("names").GetProperty("zh-CN").GetString()));
            Assert.Equal(p.GetProperty("displayName").GetString(), p.GetProperty("names").GetProperty("en").GetString());
        });

        // Per show: no default URL, the host pastes the URL and key the platform's tool issued for this show.
        Assert.True(douyin.GetProperty("urlPerShow").GetBoolean());
        Assert.Equal(JsonValueKind.Null, douyin.GetProperty("defaultUrl").ValueKind);
        Assert.Contains("per show", platforms["taobao"].GetProperty("urlHint").GetString(), StringComparison.Ordinal);
        Assert.False(platforms["twitch"].GetProperty("urlPerShow").GetBoolean());
        Assert.False(platforms["custom"].GetProperty("urlPerShow").GetBoolean());
        Assert.All(["yy", "yizhibo", "weixin-channels", "taobao", "xiaohongshu", "jd", "huya", "douyu", "weibo"],
            id => Assert.True(platforms[id].GetProperty("urlPerShow").GetBoolean(), id));

        // The checks, as the destination's warnings apply them.
        var channels = platforms["weixin-channels"];
        Assert.True(channels.GetProperty("vertical").GetBoolean());
        var checks = channels.GetProperty("checks");
        Assert.Equal("h264", checks.GetProperty("videoCodec").GetString());
        Assert.Equal("aac", checks.GetProperty("audioCodec").GetString());
        Assert.Equal(2, checks.GetProperty("maxKeyframeIntervalSeconds").GetDouble());
        Assert.Equal(1080, checks.GetProperty("maxShortSidePixels").GetInt32());
        Assert.Equal("9:16", checks.GetProperty("aspect").GetString());
        Assert.False(platforms["huya"].GetProperty("vertical").GetBoolean());
        Assert.Equal(JsonValueKind.Null, platforms["huya"].GetProperty("checks").GetProperty("aspect").ValueKind);
        Assert.Equal(JsonValueKind.Null, platforms["custom"].GetProperty("checks").GetProperty("videoCodec").ValueKind);
        // Enhanced RTMP: which codecs pass through as they come (HEVC/AV1 is never pushed where they are missing).
        Assert.Equal("""["h264"]""", checks.GetProperty("videoCodecs").GetRawText());
        Assert.Equal("""["h264","av1","hevc"]""", platforms["youtube"].GetProperty("checks").GetProperty("videoCodecs").GetRawText());
        Assert.Equal("""["h264","*"]""", platforms["custom"].GetProperty("checks").GetProperty("videoCodecs").GetRawText());

        // A per-show platform is added with the pasted URL and key, and keeps them.
        using var admin = Server.AdminClient();
        var created = await admin.PostAsync("/api/v1/channels/demo/destinations",
            Json("""{"name":"视频号","platform":"weixin-channels","url":"rtmp://push.example.com/live","streamKey":"show-0427-key"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var d = await ReadAsync(created);
        Assert.Equal("weixin-channels", d.GetProperty("platform").GetString());
        Assert.Equal("rtmp://push.example.com/live", d.GetProperty("url").GetString());
    }
}
