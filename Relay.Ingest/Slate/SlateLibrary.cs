using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Slate;

/// <summary>
/// Encodes slates with ffmpeg, once per stream shape and picture, when a channel goes live (so a drop finds its slate
/// ready), and keeps them in memory and in <c>{DataDir}/slate/cache</c>: a second channel of the same shape, or the same
/// channel after a restart, reuses the encoded GOP without running ffmpeg.
/// </summary>
public sealed class SlateLibrary(FfmpegProcessRegistry processes, SlateImages images, IOptions<IngestOptions> options, ILogger<SlateLibrary> logger) : ISlateSource
{
    /// <summary>A 2 s GOP of a still picture is tens of kilobytes; anything this big is not a slate.</summary>
    private const int MaxFlvBytes = 16 * 1024 * 1024;

    private static readonly TimeSpan EncodeTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, SlateGop> _ready = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _encoding = new(StringComparer.Ordinal);

    /// <summary>ffmpeg runs since start (tests check that a second channel of the same shape runs none).</summary>
    internal int Encodes => _encodes;

    private int _encodes;

    public void Prepare(string channelId, StreamShape shape)
    {
        var (key, image) = Key(channelId, shape);
        if (_ready.ContainsKey(key))
        {
            return;
        }

        _ = _encoding.GetOrAdd(key, k => Task.Run(() => EncodeAsync(k, channelId, shape, image)));
    }

    public SlateGop? Find(string channelId, StreamShape shape) =>
        _ready.TryGetValue(Key(channelId, shape).Key, out var gop) ? gop : null;

    /// <summary>Completes when every encode started so far has finished (tests, benchmarks).</summary>
    internal Task WhenIdleAsync() => Task.WhenAll(_encoding.Values);

    private (string Key, string? Image) Key(string channelId, StreamShape shape)
    {
        var language = options.Value.SlateLanguage;
        return images.Find(channelId) is { } picture
            ? ($"{channelId}-{picture.Stamp}-{shape.Key}", picture.Path)
            : ($"default-{language}-{shape.Key}", null);
    }

    private async Task EncodeAsync(string key, string channelId, StreamShape shape, string? image)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var folder = Path.Combine(options.Value.DataDir, "slate", "cache");
            var cached = Path.Combine(folder, key + ".flv");
            var source = "cache";
            byte[] flv;
            if (File.Exists(cached))
            {
                flv = await File.ReadAllBytesAsync(cached).ConfigureAwait(false);
            }
            else
            {
                Directory.CreateDirectory(folder);
                source = "ffmpeg";
                flv = await RunAsync(folder, key, shape, image).ConfigureAwait(false);
            }

            var gop = SlateFlv.Parse(flv, shape.Fps);
            if (source == "ffmpeg")
            {
                var temporary = cached + ".tmp";
                await File.WriteAllBytesAsync(temporary, flv).ConfigureAwait(false);
                File.Move(temporary, cached, overwrite: true);
            }

            _ready[key] = gop;
            SlateLog.Encoded(logger, channelId, shape.Key, gop.Frames.Count, flv.Length, source, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No slate for this shape until the next go-live tries again; a drop holds the channel without a picture.
            SlateLog.EncodeFailed(logger, channelId, shape.Key, ex.Message);
        }
        finally
        {
            _encoding.TryRemove(key, out _);
        }
    }

    private async Task<byte[]> RunAsync(string folder, string key, StreamShape shape, string? image)
    {
        string? textFile = null;
        string? font = null;
        if (image is null)
        {
            var (text, textFont) = SlateText.For(options.Value.SlateLanguage);
            if (text is not null)
            {
                // A file, not the filter's text=: no quoting of apostrophes or colons in a filter graph.
                textFile = Path.Combine(folder, key + ".txt");
                await File.WriteAllTextAsync(textFile, text).ConfigureAwait(false);
                font = textFont;
            }
        }

        Interlocked.Increment(ref _encodes);
        using var timeout = new CancellationTokenSource(EncodeTimeout);
        await using var process = processes.Start(new FfmpegStartInfo("slate", SlateArguments.For(shape, image, textFile, font)));
        try
        {
            using var output = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (output.Length + read > MaxFlvBytes)
                {
                    throw new InvalidDataException($"ffmpeg wrote more than {MaxFlvBytes} bytes");
                }

                output.Write(buffer, 0, read);
            }

            var outcome = await process.Exited.WaitAsync(timeout.Token).ConfigureAwait(false);
            if (outcome != FfmpegExitOutcome.Clean)
            {
                throw new InvalidOperationException($"ffmpeg ended {outcome}: {string.Join(" | ", process.Stderr.Lines.TakeLast(3))}");
            }

            return output.ToArray();
        }
        finally
        {
            if (textFile is not null)
            {
                File.Delete(textFile);
            }
        }
    }
}
