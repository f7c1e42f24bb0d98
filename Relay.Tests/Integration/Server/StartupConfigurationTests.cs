using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Configuration;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>Bad configuration stops Relay with exit code 2 and one line per problem naming the key.</summary>
public sealed class StartupConfigurationTests
{
    public static TheoryData<string[], string> BadConfigurations => new()
    {
        { ["--Relay:Channels:0:Id=shop", "--Relay:Channels:0:Title=Shop", "--Relay:Channels:0:Destinations:0:Id=yt", "--Relay:Channels:0:Destinations:0:Name=YT",
            "--Relay:Channels:0:Destinations:0:Platform=custom", "--Relay:Channels:0:Destinations:0:Url=http://example.com/live"],
          "Relay:Channels:0:Destinations:0:Url: must be an rtmp:// or rtmps:// URL" },
        { ["--Relay:Channels:0:Id=shop", "--Relay:Channels:0:Title=A", "--Relay:Channels:1:Id=shop", "--Relay:Channels:1:Title=B"],
          "Relay:Channels:1:Id: duplicate channel id 'shop'" },
        { ["--Relay:Channels:0:Id=Not Valid", "--Relay:Channels:0:Title=A"], "Relay:Channels:0:Id: must be 1-64 characters" },
        { ["--Relay:Auth:AdminToken=short"], "Relay:Auth:AdminToken: must be at least 24 characters" },
        { ["--Relay:Auth:AdminToken=twenty-chars-token-x"], "Relay:Auth:AdminToken: must be at least 24 characters" },
        { ["--Relay:Channels:0:Id=shop", "--Relay:Channels:0:Title=Shop", "--Relay:Channels:0:HostKey=hk-12345678"],
          "Relay:Channels:0:HostKey: must be 16-512 characters" },
        { ["--Relay:Redis:Configuration=localhost:6379"], "Relay:Postgres:ConnectionString: a node of a cluster needs PostgreSQL as well as Redis" },
        { ["--Relay:Postgres:ConnectionString=Host=127.0.0.1;Database=relay"], "Relay:Redis:Configuration: a node of a cluster needs Redis as well as PostgreSQL" },
        { ["--Relay:Postgres:ConnectionString=Host=127.0.0.1;Pasword=secret-value", "--Relay:Redis:Configuration=127.0.0.1:6379"], "Relay:Postgres:ConnectionString: not a valid connection string" },
        // A node of a cluster: the admin token is configuration (every node accepts the same one), and a database that
        // cannot be reached is named by host, port and database, never by its password.
        { ["--Relay:Postgres:ConnectionString=Host=127.0.0.1;Database=relay", "--Relay:Redis:Configuration=127.0.0.1:6379"],
          "Relay:Auth:AdminToken: required on a node of a cluster" },
        { ["--Relay:Postgres:ConnectionString=Host=127.0.0.1;Port=1;Database=relay;Username=relay;Password=secret-value", "--Relay:Redis:Configuration=127.0.0.1:1",
            "--Relay:Auth:AdminToken=cluster-admin-token-0123456789"],
          "Relay:Postgres:ConnectionString: cannot reach 127.0.0.1:1/relay (Connection refused)" },
        { ["--Relay:Node:LeaseSeconds=1"], "Relay:Node:LeaseSeconds: 1 is outside 3-120" },
        { ["--Relay:Node:Id=node one"], "Relay:Node:Id: 1-64 characters" },
        { ["--Relay:Node:InternalUrl=ftp://node-a/"], "Relay:Node:InternalUrl: an http(s) base URL" },
        { ["--Relay:Ingest:RtmpPort=70000"], "Relay:Ingest:RtmpPort must be 0-65535 (got 70000)" },
        { ["--Relay:Ingest:RtmpPort=abc"], "Relay:Ingest:RtmpPort: 'abc' is not a valid Int32" },
        { ["--Relay:Ingest:App="], "Relay:Ingest:App must be a non-empty name" },
        { ["--Relay:Orders:MaxAttempts=0"], "Relay:Orders:MaxAttempts must be between 1 and 1000" },
        { ["--Relay:Orders:Endpoint=http://orders.brand.example/orders"], "Relay:Orders:Endpoint must be https:// unless its host is loopback" },
        { ["--Relay:Orders:SigningSecret=secret-value"], "Relay:Orders:SigningSecret must be at least 24 bytes" },
        { ["--Relay:Orders:SigningSecret=whsec_secret-value!!"], "Relay:Orders:SigningSecret starts with whsec_ but the rest is not base64" },
        { ["--Relay:Crm:SigningSecret=secret-value"], "Relay:Crm:SigningSecret must be at least 24 bytes" },
        { ["--Relay:Crm:Endpoint=ftp://crm.brand.example/hook"], "Relay:Crm:Endpoint must be an absolute http(s) URL" },
        { ["--Relay:Crm:Endpoint=http://crm.brand.example/hook"], "Relay:Crm:Endpoint must be https:// unless its host is loopback" },
        { ["--Relay:Crm:MaxAttempts=0"], "Relay:Crm:MaxAttempts must be between 1 and 1000" },
        { ["--Relay:Crm:TimeoutSeconds=0"], "Relay:Crm:TimeoutSeconds must be in (0, 300]" },
        { ["--Relay:Banner=loud"], "Relay:Banner: 'loud' is not one of stdout, file, off" },
        { ["--Relay:Metrics:Token=short"], "Relay:Metrics:Token: must be at least 16 characters" },
        { ["--Relay:Shows:MergeGapSeconds=-5"], "Relay:Shows:MergeGapSeconds: must be from 0" },
        { ["--Relay:Shows:SampleSeconds=0"], "Relay:Shows:SampleSeconds: must be from 1 to 300 seconds" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task Bad_configuration_exits_non_zero_with_one_clear_line(string[] bad, string expected)
    {
        using var dir = new TempDir();
        var args = new[] { "--urls", "http://127.0.0.1:0", $"--Relay:DataDir={dir.Path}", $"--Relay:Ingest:RtmpPort={FreePort.Next()}", "--Relay:Ingest:SrtPort=0" }.Concat(bad);
        var (exit, stdout, stderr) = await ChildRelay.RunToExitAsync(args, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", stdout + stderr);
        Assert.DoesNotContain("secret-value", stdout + stderr);
    }

    [Fact]
    public async Task An_unusable_data_dir_is_named()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "a-file");
        await File.WriteAllTextAsync(file, "not a directory", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await ChildRelay.RunToExitAsync(
            ["--urls", "http://127.0.0.1:0", $"--Relay:DataDir={file}/data", $"--Relay:Ingest:RtmpPort={FreePort.Next()}", "--Relay:Ingest:SrtPort=0"],
            TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.StartsWith("relay: configuration error: Relay:DataDir: cannot use", stderr.Trim());
    }

    [Fact]
    public void The_validator_reports_every_problem_at_once()
    {
        var options = new RelayOptions
        {
            Channels =
            [
                new ChannelConfig
                {
                    Id = "a", Title = "", StreamKey = "k",
                    Destinations = [new DestinationConfig { Id = "d", Name = "D", Platform = "nope", Url = "rtmp://h/app", Profile = new() { Fps = 0 } }],
                    Lineup = [new LineupItemConfig { Sku = "S", Title = "T", PriceCents = 1, Currency = "usd" }],
                },
            ],
        };
        var result = new RelayOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Relay:Channels:0:Title: is required"));
        Assert.Contains(failures, f => f.StartsWith("Relay:Channels:0:StreamKey: must be 16-"));
        Assert.Contains(failures, f => f.StartsWith("Relay:Channels:0:Destinations:0:Platform: must be one of"));
        Assert.Contains(failures, f => f.StartsWith("Relay:Channels:0:Destinations:0:Profile:Fps: must be between 1 and 120"));
        Assert.Contains(failures, f => f.StartsWith("Relay:Channels:0:Lineup:0:Currency: must be a 3-letter"));
        Assert.Equal(5, failures.Count);
    }

    [Fact]
    public async Task Config_declared_channels_are_seeded_with_authoritative_keys()
    {
        await using var server = await RelayTestServer.StartAsync(
            "--Relay:Channels:0:Id=brand", "--Relay:Channels:0:Title=Brand live", "--Relay:Channels:0:StreamKey=brand-stream-key-1",
            "--Relay:Channels:0:Destinations:0:Id=tw", "--Relay:Channels:0:Destinations:0:Name=Twitch",
            "--Relay:Channels:0:Destinations:0:Platform=twitch", "--Relay:Channels:0:Destinations:0:StreamKey=live_abc_12345");
        var brand = server.Channels.Find("brand")!;
        Assert.Equal("brand", server.Channels.FindByStreamKey("brand-stream-key-1")!.Id);
        Assert.Equal("rtmps://live.twitch.tv:443/app", brand.Destinations.Single().Url);
        Assert.Null(server.Channels.Find("demo"));

        using var admin = server.AdminClient();
        var rotate = await admin.PostAsync("/api/v1/channels/brand/stream-key/rotate", null, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, rotate.StatusCode);
        Assert.Contains("set in configuration", await rotate.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A declared profile binds straight to the egress's profile, and the API shows it under the same keys.</summary>
    [Fact]
    public async Task A_config_declared_profile_is_the_egress_profile_and_the_api_shows_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync(
            "--Relay:Channels:0:Id=brand", "--Relay:Channels:0:Title=Brand live",
            "--Relay:Channels:0:Destinations:0:Id=tt", "--Relay:Channels:0:Destinations:0:Name=TikTok",
            "--Relay:Channels:0:Destinations:0:Platform=custom", "--Relay:Channels:0:Destinations:0:Url=rtmp://push.example.com/live",
            "--Relay:Channels:0:Destinations:0:StreamKey=tt_key_12345",
            "--Relay:Channels:0:Destinations:0:Profile:Aspect=9:16", "--Relay:Channels:0:Destinations:0:Profile:VideoBitrateKbps=2500",
            "--Relay:Channels:0:Destinations:0:Profile:KeyframeIntervalSeconds=1.5",
            "--Relay:Channels:0:Lineup:0:Sku=LIP-01", "--Relay:Channels:0:Lineup:0:Title=Lipstick",
            "--Relay:Channels:0:Lineup:0:PriceCents=1999", "--Relay:Channels:0:Lineup:0:Currency=EUR");

        var stored = server.Channels.Find("brand")!.Destinations.Single();
        Assert.Equal(new EgressProfile(VideoBitrateKbps: 2500, KeyframeIntervalSeconds: 1.5, Aspect: "9:16"), stored.Profile);
        Assert.False(stored.RequirePublicAddress);
        Assert.Equal(new LineupItem("LIP-01", "Lipstick", 1999, "EUR", null, null), server.Channels.Find("brand")!.Lineup.Single());

        using var admin = server.AdminClient();
        using var doc = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/brand/destinations/tt", ct));
        var profile = doc.RootElement.GetProperty("profile");
        Assert.Equal(2500, profile.GetProperty("videoBitrateKbps").GetInt32());
        Assert.Equal(1.5, profile.GetProperty("keyframeIntervalSeconds").GetDouble());
        Assert.Equal("9:16", profile.GetProperty("aspect").GetString());
        Assert.Equal("auto", doc.RootElement.GetProperty("engine").GetString());
    }
}
