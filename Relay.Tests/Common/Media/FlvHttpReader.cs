using System.Diagnostics;
using System.IO.Pipelines;
using Relay.Ingest.Media;

namespace Relay.Tests.Common.Media;

/// <summary>An HTTP-FLV viewer that parses what it receives with the production FLV reader and timestamps it.</summary>
internal sealed class FlvHttpReader
{
    private readonly List<(TimeSpan At, FlvTag Tag)> _tags = [];

    public IReadOnlyList<(TimeSpan At, FlvTag Tag)> Tags
    {
        get { lock (_tags) return [.. _tags]; }
    }

    public TimeSpan? FirstByteAfter { get; private set; }

    public static async Task<FlvHttpReader> ReadAsync(HttpClient http, Uri url, TimeSpan duration, CancellationToken cancellationToken, Stopwatch? clock = null)
    {
        var reader = new FlvHttpReader();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(duration);
        var started = clock ?? Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            response.EnsureSuccessStatusCode();
            Assert.Equal("video/x-flv", response.Content.Headers.ContentType?.MediaType);
            await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
            var pipe = PipeReader.Create(body);
            await foreach (var tag in FlvTagReader.ReadTagsAsync(pipe, FlvTagReader.DefaultMaxTagSize, cts.Token))
            {
                reader.FirstByteAfter ??= started.Elapsed;
                lock (reader._tags)
                {
                    reader._tags.Add((started.Elapsed, tag));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Read for the requested duration.
        }
        catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
        {
            // The stream ended (publisher gone) mid-read.
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return reader;
    }
}
