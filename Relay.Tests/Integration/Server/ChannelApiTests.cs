using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

public sealed class ChannelApiTests : RelayServerTest
{
    [Fact]
    public async Task First_start_creates_the_demo_channel_with_a_lineup()
    {
        using var admin = Server.AdminClient();
        var demo = await ReadAsync(await admin.GetAsync("/api/v1/channels/demo", TestContext.Current.CancellationToken));
        Assert.Equal("demo", demo.GetProperty("id").GetString());
        Assert.False(demo.GetProperty("live").GetBoolean());
        Assert.True(demo.GetProperty("lineup").GetArrayLength() >= 3);
        Assert.StartsWith("****", demo.GetProperty("streamKey").GetString());
    }

    [Fact]
    public async Task Create_returns_keys_once_and_redacts_them_afterwards()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var created = await admin.PostAsync("/api/v1/channels", Json("""{"title":"Spring sale","id":"spring"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await ReadAsync(created);
        var streamKey = body.GetProperty("streamKey").GetString()!;
        var hostKey = body.GetProperty("hostKey").GetString()!;
        Assert.StartsWith("sk_", streamKey);
        Assert.StartsWith("hk_", hostKey);
        Assert.Equal($"rtmp://127.0.0.1:{Server.RtmpPort}/live", body.GetProperty("ingestUrl").GetString());
        Assert.EndsWith("/watch/spring", body.GetProperty("watchUrl").GetString());
        Assert.EndsWith("/studio/spring", body.GetProperty("studioUrl").GetString());

        foreach (var path in new[] { "/api/v1/channels", "/api/v1/channels/spring", "/api/v1/channels/spring/destinations" })
        {
            var text = await admin.GetStringAsync(path, ct);
            Assert.DoesNotContain(streamKey, text);
            Assert.DoesNotContain(hostKey, text);
        }
        var reveal = await ReadAsync(await admin.GetAsync("/api/v1/channels/spring/stream-key", ct));
        Assert.Equal(streamKey, reveal.GetProperty("streamKey").GetString());
    }

    [Fact]
    public async Task Create_without_id_derives_a_unique_slug()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var a = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Night Market Live"}"""), ct));
        var b = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Night Market Live"}"""), ct));
        Assert.Equal("night-market-live", a.GetProperty("id").GetString());
        Assert.Equal("night-market-live-2", b.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("""{"title":""}""", "title")]
    [InlineData("""{"title":"x","id":"Bad Id!"}""", "id")]
    [InlineData("""{"title":42}""", "title")]
    [InlineData("""{"title":"x","colour":"red"}""", "colour")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"title":""", "body")]
    public async Task Invalid_channel_bodies_get_400_naming_the_field(string json, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var response = await admin.PostAsync("/api/v1/channels", Json(json), ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString());
        Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/api/v1/channels", ct)).EnumerateArray());
    }

    [Fact]
    public async Task Wrong_media_type_is_415_and_duplicate_id_is_409()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var plain = await admin.PostAsync("/api/v1/channels", new StringContent("title=x"), ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        var dup = await admin.PostAsync("/api/v1/channels", Json("""{"title":"again","id":"demo"}"""), ct);
        Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
    }

    [Fact]
    public async Task Admin_auth_is_required_and_host_keys_reach_only_their_own_channel()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var other = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Other","id":"other"}"""), ct));
        var hostKey = other.GetProperty("hostKey").GetString()!;

        using var anonymous = Server.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/channels", ct)).StatusCode);
        using var wrong = Server.Client("at_not-the-token-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/v1/channels", ct)).StatusCode);

        using var host = Server.Client(hostKey);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/api/v1/channels/other", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/api/v1/channels/other/stream-key", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/api/v1/channels/demo", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/api/v1/channels", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.PostAsync("/api/v1/channels", Json("""{"title":"x"}"""), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.DeleteAsync("/api/v1/channels/other", ct)).StatusCode);
        Assert.NotNull(Server.Channels.Find("other"));
    }

    [Fact]
    public async Task Rotating_the_stream_key_replaces_it_at_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var before = Server.Channels.Find("demo")!.StreamKey;
        var rotated = await ReadAsync(await admin.PostAsync("/api/v1/channels/demo/stream-key/rotate", null, ct));
        var after = rotated.GetProperty("streamKey").GetString();
        Assert.NotEqual(before, after);
        Assert.Null(Server.Channels.FindByStreamKey(before));
        Assert.Equal("demo", Server.Channels.FindByStreamKey(after)!.Id);
    }

    [Fact]
    public async Task Delete_removes_the_channel_and_unknown_ids_are_404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/channels/demo", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/channels/demo", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/channels/demo", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/channels/nope/stream-key/rotate", null, ct)).StatusCode);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_answer_without_auth()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", ct)).StatusCode);
        var ready = await client.GetAsync("/readyz", ct);
        var readyBody = await ReadAsync(ready);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", readyBody.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("healthy", readyBody.GetProperty("checks").GetProperty("ffmpeg").GetProperty("status").GetString());
        var metrics = await client.GetStringAsync("/metrics", ct);
        Assert.Contains("process_cpu_seconds_total", metrics);
        Assert.Contains("http_requests_received_total", metrics);
    }

    [Fact]
    public async Task Readiness_is_503_with_the_reason_when_ffmpeg_is_missing()
    {
        await using var server = await RelayTestServer.StartAsync("--Relay:Ingest:FfmpegPath=/nonexistent/ffmpeg");
        server.AllowedErrors.Add("Health check ffmpeg with status Unhealthy");
        using var client = server.Client();
        var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("cannot run ffmpeg at", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Secrets_never_reach_the_logs()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var created = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Quiet"}"""), ct));
        await admin.PostAsync("/api/v1/channels/quiet/destinations",
            Json("""{"name":"Custom","platform":"custom","url":"rtmp://127.0.0.1:1/app/url-borne-secret-1"}"""), ct);
        await admin.PostAsync("/api/v1/channels/quiet/destinations",
            Json("""{"name":"T","platform":"twitch","streamKey":"live_destination_secret_2"}"""), ct);
        var rotated = await ReadAsync(await admin.PostAsync("/api/v1/channels/quiet/stream-key/rotate", null, ct));
        using var withTokenInQuery = Server.Client();
        await withTokenInQuery.GetAsync($"/api/v1/channels?access_token={Server.AdminToken}", ct);

        var logs = Server.Logs.All;
        Assert.NotEmpty(Server.Logs.Lines);
        foreach (var secret in new[]
        {
            created.GetProperty("streamKey").GetString()!, created.GetProperty("hostKey").GetString()!,
            rotated.GetProperty("streamKey").GetString()!, "url-borne-secret-1", "live_destination_secret_2", Server.AdminToken,
        })
        {
            Assert.DoesNotContain(secret, logs);
        }
    }
}
