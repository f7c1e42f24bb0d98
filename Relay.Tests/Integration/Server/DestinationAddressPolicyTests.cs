using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Egress;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Contract v2 destination address policy (review M1) and the PATCH key rule (review M2): a host key cannot point a
/// destination at loopback, private, link-local, multicast or unspecified addresses, by literal or by name, at the API
/// or later through DNS; the admin token can; a URL moved to another server needs a new stream key.
/// </summary>
public sealed class DestinationAddressPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:a9fe:a9fe::1")]
    public void Non_public_addresses_are_refused(string address) =>
        Assert.False(DestinationAddressPolicy.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.1.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(DestinationAddressPolicy.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("rtmp://127.0.0.1:1935/live")]
    [InlineData("rtmp://10.0.0.5/live")]
    [InlineData("rtmp://169.254.169.254:80/latest")]
    [InlineData("rtmp://[::1]:1935/live")]
    [InlineData("rtmp://[::ffff:127.0.0.1]:1935/live")]
    [InlineData("rtmp://[fd00::5]/live")]
    [InlineData("rtmp://0.0.0.0:6379/live")]
    [InlineData("rtmp://localhost:22/live")]
    [InlineData("rtmp://internal.test:9090/live")]
    [InlineData("rtmps://internal.test/live")]
    public async Task A_host_key_cannot_add_a_destination_on_a_non_public_address(string url)
    {
        await using var server = await StartAsync(new ScriptedResolver().Answer("internal.test", "10.0.0.7"));
        using var host = server.Client(server.Channels.Find("demo")!.HostKey);

        using var response = await host.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"probe","name":"probe","platform":"custom","url":"{{url}}","streamKey":"x-123"}"""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.GetRawText());
        Assert.Empty(server.Channels.Find("demo")!.Destinations);
    }

    [Fact]
    public async Task The_admin_may_target_any_address_and_the_host_may_toggle_it_but_not_move_it_inward()
    {
        var resolver = new ScriptedResolver().Answer("public.test", "93.184.216.34");
        await using var server = await StartAsync(resolver);
        using var admin = server.AdminClient();
        using var host = server.Client(server.Channels.Find("demo")!.HostKey);

        using (var created = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            """{"id":"internal","name":"internal","platform":"custom","url":"rtmp://10.0.0.8:1935/live","streamKey":"admin-key-1"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using (var toggled = await host.PatchAsync("/api/v1/channels/demo/destinations/internal", RelayServerTest.JsonBody("""{"enabled":false}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, toggled.StatusCode);
        }
        Assert.False(server.Channels.Find("demo")!.Destinations.Single().RequirePublicAddress);

        using (var hostPublic = await host.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            """{"id":"mine","name":"mine","platform":"custom","url":"rtmp://public.test/live","streamKey":"host-key-1"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, hostPublic.StatusCode);
        }
        using (var inward = await host.PatchAsync("/api/v1/channels/demo/destinations/mine", RelayServerTest.JsonBody(
            """{"url":"rtmp://192.168.0.10/live","streamKey":"host-key-2"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, inward.StatusCode);
            Assert.Contains("\"url\"", await inward.Content.ReadAsStringAsync(Ct));
        }
        var mine = server.Channels.Find("demo")!.Destinations.Single(d => d.Id == "mine");
        Assert.Equal("rtmp://public.test/live", mine.Url);
        Assert.True(mine.RequirePublicAddress);
    }

    [Fact]
    public async Task AllowPrivateDestinations_lets_a_host_key_target_a_private_address()
    {
        await using var server = await StartAsync(new ScriptedResolver(), "--Relay:Egress:AllowPrivateDestinations=true");
        using var host = server.Client(server.Channels.Find("demo")!.HostKey);
        using var response = await host.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            """{"name":"lan","platform":"custom","url":"rtmp://192.168.1.20/live","streamKey":"lan-key-1"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>
    /// DNS rebinding: the name is public when the host adds it and loopback when the push connects. The push never
    /// reaches the loopback listener, and lastError says only "not an RTMP server or unreachable" (no port oracle). A
    /// destination the admin points at the same listener does reach it, so the listener would have seen the push.
    /// </summary>
    [Fact]
    public async Task A_host_set_destination_is_vetted_again_at_connect_and_never_reaches_a_rebound_address()
    {
        FfmpegAvailability.SkipIfMissing();
        using var listener = new ConnectionCounter();
        var resolver = new ScriptedResolver().Answer("rebind.test", "93.184.216.34").ThenAnswer("rebind.test", "127.0.0.1");
        await using var server = await StartAsync(resolver);
        var demo = server.Channels.Find("demo")!;
        using var admin = server.AdminClient();
        using var host = server.Client(demo.HostKey);

        using (var created = await host.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"rebind","name":"rebind","platform":"custom","url":"rtmp://rebind.test:{{listener.Port}}/live","streamKey":"rebind-key-1"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 40);
        var rebind = await WaitForDestinationAsync(admin, "rebind", d => d.GetProperty("reconnects").GetInt32() >= 2);
        Assert.Equal(AddressGuardedPusher.Unreachable, rebind.GetProperty("lastError").GetString());
        Assert.True(resolver.Lookups("rebind.test") >= 3, "every connect resolves the name again");
        Assert.Equal(0, listener.Accepted);

        using (var created = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"control","name":"control","platform":"custom","url":"rtmp://127.0.0.1:{{listener.Port}}/live","streamKey":"control-key-1"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        await PollAsync(() => listener.Accepted > 0, "the admin's destination reaches the listener");
    }

    /// <summary>A destination stored before the policy (host-set, on loopback) is held to it at connect.</summary>
    [Fact]
    public async Task A_stored_host_set_destination_on_loopback_never_connects()
    {
        FfmpegAvailability.SkipIfMissing();
        using var listener = new ConnectionCounter();
        await using var server = await StartAsync(new ScriptedResolver());
        var demo = server.Channels.Find("demo")!;
        await server.Channels.EditDestinationsAsync("demo", _ =>
            [new EgressDestination("legacy", "legacy", "custom", $"rtmp://127.0.0.1:{listener.Port}/live", "legacy-key-1", true, null, "auto", RequirePublicAddress: true)], Ct);

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 40);
        using var admin = server.AdminClient();
        var legacy = await WaitForDestinationAsync(admin, "legacy", d => d.GetProperty("reconnects").GetInt32() >= 2);
        Assert.Equal(AddressGuardedPusher.Unreachable, legacy.GetProperty("lastError").GetString());
        Assert.Equal(0, listener.Accepted);
    }

    [Fact]
    public async Task A_patch_that_moves_the_url_to_another_server_needs_a_new_stream_key()
    {
        await using var server = await StartAsync(new ScriptedResolver().Answer("attacker.test", "93.184.216.34"));
        using var admin = server.AdminClient();
        using var host = server.Client(server.Channels.Find("demo")!.HostKey);
        using (var created = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            """{"id":"yt","name":"YouTube","platform":"youtube","streamKey":"brand-youtube-key"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var before = server.Channels.Find("demo")!.Destinations.Single();

        foreach (var (client, url) in new[] { (host, "rtmps://attacker.test/live2"), (admin, "rtmps://attacker.test/live2"), (host, "rtmps://a.rtmps.youtube.com:8443/live2"), (host, "rtmp://a.rtmps.youtube.com/live2") })
        {
            using var moved = await client.PatchAsync("/api/v1/channels/demo/destinations/yt", RelayServerTest.JsonBody($$"""{"url":"{{url}}"}"""), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
            var problem = JsonDocument.Parse(await moved.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty("streamKey", out _), problem.GetRawText());
            Assert.Equal(before, server.Channels.Find("demo")!.Destinations.Single());
        }

        // Same server, another path: the stored key may stay.
        using (var samePlace = await host.PatchAsync("/api/v1/channels/demo/destinations/yt", RelayServerTest.JsonBody(
            """{"url":"rtmps://a.rtmps.youtube.com:443/live2/backup"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, samePlace.StatusCode);
        }
        // With a new key, the move is fine: the stored one is not sent anywhere new.
        using (var withKey = await host.PatchAsync("/api/v1/channels/demo/destinations/yt", RelayServerTest.JsonBody(
            """{"url":"rtmps://attacker.test/live2","streamKey":"a-new-key-1"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        }
        Assert.Equal("a-new-key-1", server.Channels.Find("demo")!.Destinations.Single().StreamKey);
    }

    private static Task<RelayTestServer> StartAsync(ScriptedResolver resolver, params string[] args) =>
        RelayTestServer.StartAsync(services => services.AddSingleton<IHostResolver>(resolver),
            ["--Relay:Egress:BackoffBaseSeconds=0.2", "--Relay:Egress:BackoffCapSeconds=0.5", .. args]);

    private static async Task<JsonElement> WaitForDestinationAsync(HttpClient admin, string id, Func<JsonElement, bool> done)
    {
        JsonElement last = default;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            last = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/demo/destinations/{id}", Ct)).RootElement.Clone();
            if (done(last))
            {
                return last;
            }
            await Task.Delay(100, Ct);
        }
        Assert.Fail($"destination {id} stayed {last.GetRawText()}");
        return last;
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Answers names from a script: the first answers once each, then the last one for good. Unknown names do not resolve.</summary>
    private sealed class ScriptedResolver : IHostResolver
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.OrdinalIgnoreCase);

        public ScriptedResolver Answer(string host, params string[] addresses) => ThenAnswer(host, addresses);

        public ScriptedResolver ThenAnswer(string host, params string[] addresses)
        {
            _answers.GetOrAdd(host, _ => new()).Enqueue([.. addresses.Select(IPAddress.Parse)]);
            return this;
        }

        public int Lookups(string host) => _lookups.GetValueOrDefault(host);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            _lookups.AddOrUpdate(host, 1, (_, n) => n + 1);
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback });
            }
            if (!_answers.TryGetValue(host, out var queue) || !queue.TryPeek(out var next))
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }
            if (queue.Count > 1)
            {
                queue.TryDequeue(out _);
            }
            return Task.FromResult(next);
        }
    }

    /// <summary>A real TCP listener on loopback that counts the connections it accepts and closes them.</summary>
    private sealed class ConnectionCounter : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _accepted;

        public ConnectionCounter()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var socket = await _listener.AcceptSocketAsync();
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
