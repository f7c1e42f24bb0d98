using System.Net.Http.Json;
using System.Text.Json;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Links behind a TLS-terminating reverse proxy: Relay:PublicBaseUrl wins; without it a known proxy's X-Forwarded-Proto
/// and -Host make the links; an unknown peer's forwarded headers change nothing; a bad base URL stops startup.
/// </summary>
public sealed class PublicBaseUrlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> CreateAsync(HttpClient admin, string id, Action<HttpRequestMessage>? decorate = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/channels") { Content = JsonContent.Create(new { id, title = id }) };
        decorate?.Invoke(request);
        using var response = await admin.SendAsync(request, Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static void Forwarded(HttpRequestMessage request)
    {
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "shop.brand.example");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
    }

    [Fact]
    public async Task The_public_base_url_makes_every_link_and_the_obs_server()
    {
        await using var server = await RelayTestServer.StartAsync("--Relay:PublicBaseUrl=https://live.brand.example/");
        using var admin = server.AdminClient();
        var created = await CreateAsync(admin, "spring", Forwarded);
        Assert.Equal("https://live.brand.example/watch/spring", created.GetProperty("watchUrl").GetString());
        Assert.Equal("https://live.brand.example/studio/spring", created.GetProperty("studioUrl").GetString());
        Assert.StartsWith("rtmp://live.brand.example", created.GetProperty("ingestUrl").GetString(), StringComparison.Ordinal);

        var got = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/spring", Ct)).RootElement;
        Assert.Equal("https://live.brand.example/watch/spring", got.GetProperty("watchUrl").GetString());
    }

    [Fact]
    public async Task A_known_proxys_forwarded_scheme_and_host_make_the_links_and_anyone_elses_are_ignored()
    {
        await using (var proxied = await RelayTestServer.StartAsync("--Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1"))
        {
            using var admin = proxied.AdminClient();
            var created = await CreateAsync(admin, "spring", Forwarded);
            Assert.Equal("https://shop.brand.example/watch/spring", created.GetProperty("watchUrl").GetString());
            Assert.Equal("https://shop.brand.example/studio/spring", created.GetProperty("studioUrl").GetString());
        }

        await using var direct = await RelayTestServer.StartAsync();
        using var client = direct.AdminClient();
        var plain = await CreateAsync(client, "spring", Forwarded);
        Assert.Equal($"http://{direct.BaseAddress.Authority}/watch/spring", plain.GetProperty("watchUrl").GetString());
    }

    [Theory]
    [InlineData("live.brand.example")]
    [InlineData("ftp://live.brand.example")]
    [InlineData("https://live.brand.example/shop")]
    [InlineData("https://live.brand.example/?a=1")]
    public async Task A_bad_public_base_url_stops_startup_with_one_line_naming_it(string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await RelayTestServer.StartAsync($"--Relay:PublicBaseUrl={value}");
        });
        Assert.Contains($"Relay:PublicBaseUrl: '{value}'", error.ToString(), StringComparison.Ordinal);
    }
}
