using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Media;
using Relay.Ingest.Mirroring;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Unit.Ingest.Mirroring;

/// <summary>
/// A non-owner's mirror with an in-memory origin: one pull serves every local viewer, the hub starts with what the
/// owner sent, plain observers (egress, recording) never hear of it, and it ends with the owner's channel.
/// </summary>
public sealed class ChannelMirrorsTests
{
    private static readonly FlvTag VideoHeader = FlvTag.Create(FlvTagType.Video, 0, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F, 0xFF, 0xE0]);

    private static FlvTag Key(uint ts) => FlvTag.Create(FlvTagType.Video, ts, [0x17, 1, 0, 0, 0, 0xAA]);

    [Fact]
    public async Task Viewers_of_a_channel_live_elsewhere_share_one_pull_and_the_mirror_ends_with_the_owners_stream()
    {
        var origin = new PipeOrigin();
        var plain = new ChannelEvents();
        var registry = new LiveChannelRegistry(new Lazy<IReadOnlyList<ILiveChannelObserver>>([plain]), Options.Create(new IngestOptions()), TimeProvider.System, NullLogger<LiveChannelRegistry>.Instance);
        await using var mirrors = new ChannelMirrors(registry, origin, Options.Create(new IngestOptions()), TimeProvider.System, NullLogger<ChannelMirrors>.Instance);

        Assert.False(await mirrors.TryMirrorAsync("elsewhere-not", Ct));
        var first = mirrors.TryMirrorAsync("show", Ct);
        var second = mirrors.TryMirrorAsync("show", Ct);
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(1, origin.Opened("show"));
        Assert.True(registry.IsMirrored("show"));
        Assert.True(registry.TryGetHub("show", out var hub));

        using var viewer = hub.Subscribe("viewer", "http_flv");
        await origin.WriteAsync(VideoHeader, Key(0), Key(33));
        var received = new List<FlvTag>();
        while (received.Count < 2)
        {
            received.Add(await viewer.Reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct));
        }

        Assert.True(received[0].IsSequenceHeader);
        Assert.Equal(0u, received[1].Timestamp);

        // The owner's channel ends (its stream closes, and the lease is gone): the mirror ends, viewers complete.
        origin.Live = false;
        await origin.EndAsync();
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        drain.CancelAfter(TimeSpan.FromSeconds(5));
        await foreach (var _ in viewer.Reader.ReadAllAsync(drain.Token))
        {
            // drained: the mirror's hub completed
        }

        await viewer.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.False(registry.IsLive("show"));
        Assert.Empty(plain.All);
        for (var i = 0; i < 100 && mirrors.Count > 0; i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(0, mirrors.Count);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The owner's internal HTTP-FLV as a pipe; "show" is live elsewhere while <see cref="Live"/>.</summary>
    private sealed class PipeOrigin : IChannelOrigin
    {
        private readonly Pipe _pipe = new();
        private readonly Dictionary<string, int> _opened = [];

        public bool Live { get; set; } = true;

        public int Opened(string channelId)
        {
            lock (_opened)
            {
                return _opened.GetValueOrDefault(channelId);
            }
        }

        public Task<Stream?> OpenAsync(string channelId, CancellationToken cancellationToken)
        {
            lock (_opened)
            {
                _opened[channelId] = _opened.GetValueOrDefault(channelId) + 1;
            }

            if (channelId != "show" || !Live || Opened(channelId) > 1)
            {
                return Task.FromResult<Stream?>(null);
            }

            _pipe.Writer.Write(FlvTagReader.AudioVideoFileHeader);
            return Task.FromResult<Stream?>(_pipe.Reader.AsStream());
        }

        public async Task WriteAsync(params FlvTag[] tags)
        {
            foreach (var tag in tags)
            {
                await _pipe.Writer.WriteAsync(tag.Serialized, Ct);
            }
        }

        public Task EndAsync() => _pipe.Writer.CompleteAsync().AsTask();
    }
}
