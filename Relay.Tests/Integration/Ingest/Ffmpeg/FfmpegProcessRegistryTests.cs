using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Ingest.Ffmpeg;

public sealed class FfmpegProcessRegistryTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("relay-ffmpeg-test-").FullName;

    private FfmpegProcessRegistry NewRegistry() =>
        new(Options.Create(new IngestOptions { DataDir = _dataDir }), NullLogger<FfmpegProcessRegistry>.Instance);

    /// <summary>An ffmpeg that runs until told otherwise and reads 'q' from stdin.</summary>
    private static FfmpegStartInfo Endless(Func<string, string?>? filter = null) =>
        new("test", ["-re", "-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"], StderrFilter: filter);

    [Fact]
    public async Task Staged_stop_ends_ffmpeg_with_q_and_the_registry_forgets_it()
    {
        FfmpegAvailability.SkipIfMissing();
        var registry = NewRegistry();
        var process = registry.Start(Endless());
        Assert.Single(registry.Running);
        Assert.True(File.Exists(Path.Combine(_dataDir, "run", $"ffmpeg-{process.Pid}.pid")));

        var watch = Stopwatch.StartNew();
        await process.StopAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), "'q' should end it well before the kill");
        Assert.Equal(FfmpegExitOutcome.Clean, await process.Exited);
        await WaitUntilAsync(() => registry.Running.Count == 0);
        Assert.False(File.Exists(Path.Combine(_dataDir, "run", $"ffmpeg-{process.Pid}.pid")));
    }

    [Fact]
    public async Task A_process_that_ignores_q_is_killed_after_the_grace_period()
    {
        FfmpegAvailability.SkipIfMissing();
        var registry = NewRegistry();
        // -nostdin: ffmpeg does not read 'q', as a hung process would not.
        var process = registry.Start(new FfmpegStartInfo("test", ["-nostdin", "-re", "-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"]));
        var watch = Stopwatch.StartNew();
        await process.StopAsync(TimeSpan.FromMilliseconds(300), Ct);
        Assert.Equal(FfmpegExitOutcome.Killed, await process.Exited);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Stderr_is_bounded_and_filtered()
    {
        FfmpegAvailability.SkipIfMissing();
        var registry = NewRegistry();
        // A missing input makes ffmpeg print an error naming it; the filter must see and redact it.
        var process = registry.Start(new FfmpegStartInfo("test", ["-i", "/nonexistent/SECRET-NAME.flv", "-f", "null", "-"],
            StderrFilter: line => line.Replace("SECRET-NAME", "****", StringComparison.Ordinal)));
        Assert.Equal(FfmpegExitOutcome.Error, await process.Exited.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        await WaitUntilAsync(() => process.Stderr.Lines.Count > 0);
        Assert.Contains(process.Stderr.Lines, l => l.Contains("****", StringComparison.Ordinal));
        Assert.DoesNotContain(process.Stderr.Lines, l => l.Contains("SECRET-NAME", StringComparison.Ordinal));

        var tail = new StderrTail(3);
        for (var i = 0; i < 10; i++)
        {
            tail.Add($"line {i}");
        }

        Assert.Equal(["line 7", "line 8", "line 9"], tail.Lines);
    }

    [Fact]
    public async Task Leftovers_of_a_crashed_instance_with_the_same_data_directory_are_reaped_at_start()
    {
        FfmpegAvailability.SkipIfMissing();
        var crashed = NewRegistry();
        var other = new FfmpegProcessRegistry(Options.Create(new IngestOptions { DataDir = _dataDir + "-other" }), NullLogger<FfmpegProcessRegistry>.Instance);
        // Started by the "crashed" registry, which is then abandoned without stopping its child.
        var orphan = crashed.Start(Endless());
        var unrelated = other.Start(Endless());
        try
        {
            var successor = NewRegistry();
            await successor.StartAsync(Ct);

            Assert.Equal(FfmpegExitOutcome.Killed, await orphan.Exited.WaitAsync(TimeSpan.FromSeconds(5), Ct));
            Assert.False(unrelated.HasExited, "a child of another data directory must not be touched");
        }
        finally
        {
            unrelated.Kill();
            orphan.Kill();
            Directory.Delete(_dataDir + "-other", recursive: true);
        }
    }

    [Fact]
    public async Task Shutdown_stops_and_awaits_every_child()
    {
        FfmpegAvailability.SkipIfMissing();
        var registry = NewRegistry();
        var a = registry.Start(Endless());
        var b = registry.Start(Endless());
        await registry.StopAsync(Ct);
        Assert.True(a.HasExited && b.HasExited);
        Assert.Empty(ChildProcesses.WithOwnerMarker(registry.OwnerMarker));
    }

    [Fact]
    public void A_missing_binary_is_a_clear_error()
    {
        var registry = new FfmpegProcessRegistry(Options.Create(new IngestOptions { DataDir = _dataDir, FfmpegPath = "/nonexistent/ffmpeg" }), NullLogger<FfmpegProcessRegistry>.Instance);
        var ex = Assert.Throws<InvalidOperationException>(() => registry.Start(Endless()));
        Assert.Contains("/nonexistent/ffmpeg", ex.Message);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (!condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(20, Ct);
        }

        Assert.True(condition());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
