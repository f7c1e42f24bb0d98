using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Server.Access;
using Relay.Server.Channels;
using Relay.Server.Hosting;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Review findings L2 and M10: what Relay writes to disk at its first start is readable by its own user only, and the
/// startup banner (which shows the keys generated on that start) can be kept out of stdout, i.e. out of shipped logs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; Relay's tests run on Linux
public sealed class SecretsAtRestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDir = OwnerFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task A_fresh_data_dir_and_every_secret_file_in_it_are_owner_only_from_creation()
    {
        using var root = new TempDir();
        var dataDir = Path.Combine(root.Path, "fresh", "data");
        await using (var server = await RelayTestServer.StartAsync($"--Relay:DataDir={dataDir}"))
        {
            // A write, so SQLite's -wal and -shm files exist too.
            using var admin = server.AdminClient();
            using var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"modes","title":"Modes"}"""), Ct);
            created.EnsureSuccessStatusCode();
            Assert.Equal(dataDir, Path.GetDirectoryName(server.App.Services.GetRequiredService<AdminToken>().Source));
        }

        Assert.Equal(OwnerDir, File.GetUnixFileMode(dataDir));
        Assert.Equal(OwnerDir, File.GetUnixFileMode(Path.Combine(dataDir, "keys")));
        var files = new[] { "admin-token", "relay.db", "relay.db-wal", "relay.db-shm" }
            .Select(f => Path.Combine(dataDir, f)).Where(File.Exists)
            .Concat(Directory.GetFiles(Path.Combine(dataDir, "keys"), "*.xml")).ToList();
        Assert.Contains(files, f => f.EndsWith("admin-token", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("relay.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".xml", StringComparison.Ordinal));
        foreach (var file in files)
            Assert.True(File.GetUnixFileMode(file) == OwnerFile, $"{file} is {File.GetUnixFileMode(file)}");
    }

    [Fact]
    public async Task The_banner_goes_to_a_600_file_and_stdout_only_says_where()
    {
        using var root = new TempDir();
        var (stdout, dataDir, adminToken, streamKey) = await StartOnceAsync(root, "file");

        var path = Path.Combine(dataDir, StartupBanner.FileName);
        var banner = await File.ReadAllTextAsync(path, Ct);
        Assert.Contains(adminToken, banner, StringComparison.Ordinal);
        Assert.Contains(streamKey, banner, StringComparison.Ordinal);
        Assert.Equal(OwnerFile, File.GetUnixFileMode(path));

        Assert.Contains(path, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(adminToken, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(streamKey, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Banner_off_prints_and_writes_nothing_and_stdout_is_still_the_default()
    {
        using var off = new TempDir();
        var (quiet, offDir, _, _) = await StartOnceAsync(off, "off");
        Assert.Equal("", quiet);
        Assert.False(File.Exists(Path.Combine(offDir, StartupBanner.FileName)));

        using var standard = new TempDir();
        var (stdout, dataDir, adminToken, streamKey) = await StartOnceAsync(standard, mode: null);
        Assert.Contains(adminToken, stdout, StringComparison.Ordinal);
        Assert.Contains(streamKey, stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDir, StartupBanner.FileName)));
    }

    /// <summary>A first start (admin token and demo keys generated now) as Program does it, with stdout captured.</summary>
    private static async Task<(string Stdout, string DataDir, string AdminToken, string StreamKey)> StartOnceAsync(TempDir root, string? mode)
    {
        var dataDir = Path.Combine(root.Path, "data");
        var stdout = new StringWriter();
        string[] args =
        [
            "--urls", "http://127.0.0.1:0", $"--Relay:DataDir={dataDir}", $"--Relay:Ingest:RtmpPort={FreePort.Next()}", "--Relay:Ingest:SrtPort=0",
            .. mode is null ? Array.Empty<string>() : [$"--Relay:Banner={mode}"],
        ];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var app = await RelayHost.StartAsync(args, stdout, cts.Token, builder => builder.Logging.ClearProviders());
        try
        {
            var token = app.Services.GetRequiredService<AdminToken>();
            Assert.True(token.GeneratedNow);
            var demo = app.Services.GetRequiredService<ChannelService>().Find("demo")!;
            return (stdout.ToString(), dataDir, token.Value, demo.StreamKey);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }
}
