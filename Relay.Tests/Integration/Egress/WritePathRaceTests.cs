using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Egress.Supervision;
using Relay.Ingest.Streams;
using Relay.Ingest.Media;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Egress;

/// <summary>
/// Review 4.1 / E2: a native push writes media two ways, inline from the publisher's thread while its queue is empty and
/// from its own loop when the socket was full. Here both run at once for seconds: a publisher thread feeding a real
/// <see cref="StreamHub"/> (every tag a keyframe, so whatever measures the GOP works on every tag), a push socket with
/// a 4 KB send buffer, a 16-tag queue and a sink that reads in bursts, so the socket fills and drains and the queue
/// overflows all the time. Before the fix both paths reported every frame to the supervisor: its profiler (a
/// <see cref="Queue{T}"/> documented single-threaded), bitrate window, platform checks and drop reports ran on two
/// threads at once, one of them the publisher's under the hub lock. The contract now: the supervisor's work never runs
/// on the publisher's thread (its drop reports, which it logs, show where it ran), and the push stays live.
/// </summary>
public sealed class WritePathRaceTests
{
    private const string PublisherThreadName = "race publisher";

    private sealed class SmallSendBufferPushes : IEgressPusherFactory
    {
        public (IEgressPusher? Pusher, string? Error) Create(EgressDestination destination, EgressOptions options)
        {
            Assert.True(RtmpPushTarget.TryParse(destination.Url, destination.StreamKey, out var target, out var error), error);
            var settings = new RtmpPushSettings { SendBufferSize = 4096, MaxBatchBytes = 16 * 1024 };
            return (new RtmpPusher(target!, settings, TimeProvider.System, NullLogger.Instance), null);
        }
    }

    /// <summary>Records the thread each log line was written on.</summary>
    private sealed class ThreadRecordingLogger : ILogger
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<(string Thread, string Message)> Lines = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((Thread.CurrentThread.Name ?? "", formatter(state, exception)));
    }

    /// <summary>Accepts publishes and reads in bursts (5 ms reading, 5 ms not) through a small receive buffer.</summary>
    private sealed class BurstReadingSink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;
        private long _bytes;

        public BurstReadingSink()
        {
            _listener.Server.ReceiveBufferSize = 8192;
            _listener.Start();
            _run = Task.Run(() => ServeAsync(_stop.Token));
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public long Bytes => Interlocked.Read(ref _bytes);

        public int Pauses;

        private async Task ServeAsync(CancellationToken ct)
        {
            try
            {
                while (true)
                {
                    using var socket = await _listener.AcceptSocketAsync(ct);
                    await using var stream = new NetworkStream(socket, ownsSocket: false);
                    if (!await HostileRtmpServer.HandshakeAndAcceptPublishAsync(stream, ct)) continue;
                    var buffer = new byte[16 * 1024];
                    var burst = Stopwatch.StartNew();
                    try
                    {
                        while (true)
                        {
                            var n = await stream.ReadAsync(buffer, ct);
                            if (n == 0) break;
                            Interlocked.Add(ref _bytes, n);
                            if (burst.ElapsedMilliseconds >= 5)
                            {
                                await Task.Delay(5, ct);
                                Interlocked.Increment(ref Pauses);
                                burst.Restart();
                            }
                        }
                    }
                    catch (IOException)
                    {
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }
    }

    /// <summary>The publisher: a sequence header, then 1.5 KB keyframes, two per millisecond at most.</summary>
    private static void Publish(StreamHub hub, CancellationToken stop)
    {
        var header = new byte[16];
        header[0] = 0x17; // keyframe, AVC
        hub.Publish(FlvTag.Create(FlvTagType.Video, 0, header));
        var body = new byte[1500];
        body[0] = 0x17;
        body[1] = 1; // NALU
        uint timestamp = 0;
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < 2; i++)
            {
                hub.Publish(FlvTag.Create(FlvTagType.Video, ++timestamp, body));
            }

            Thread.Sleep(1);
        }
    }

    [Fact]
    public async Task Inline_and_queued_writes_running_at_once_keep_the_push_live()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sink = new BurstReadingSink();
        var hub = new StreamHub("race", DateTimeOffset.UtcNow);
        var destination = new EgressDestination("d", "d", "custom", $"rtmp://127.0.0.1:{sink.Port}/live", "racekey", true);
        var options = new EgressOptions { QueueCapacity = 16, FailuresBeforeFailed = 100, BackoffBaseSeconds = 0.1, BackoffCapSeconds = 0.2 };
        var logger = new ThreadRecordingLogger();
        using var stop = new CancellationTokenSource();
        var publisher = new Thread(() => Publish(hub, stop.Token)) { IsBackground = true, Name = PublisherThreadName };
        await using (var supervisor = new DestinationSupervisor("race", destination, new StreamHubEgressSource(hub), new SmallSendBufferPushes(), options, TimeProvider.System, logger, new Random(1)))
        {
            publisher.Start();
            supervisor.Start();
            var clock = Stopwatch.StartNew();
            while (supervisor.Status.State != EgressState.Live)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"not live: {supervisor.Status}");
                await Task.Delay(10, ct);
            }

            var bytesAtLive = sink.Bytes;
            var pausesAtLive = sink.Pauses;
            var soak = Stopwatch.StartNew();
            EgressDestinationStatus status;
            do
            {
                await Task.Delay(20, ct);
                status = supervisor.Status;
            }
            // At least 10 s, and on until the sink's pauses have overflowed the queue once (a quiet machine reads faster),
            // so the drop report this test is about has been made.
            while ((soak.Elapsed < TimeSpan.FromSeconds(10)
                    || (soak.Elapsed < TimeSpan.FromSeconds(40) && !logger.Lines.Any(l => l.Message.Contains("dropped", StringComparison.OrdinalIgnoreCase))))
                   && status.State == EgressState.Live && status.Reconnects == 0);

            await stop.CancelAsync();
            publisher.Join();
            var onPublisher = logger.Lines.Where(l => l.Thread == PublisherThreadName).Select(l => l.Message).ToList();
            Assert.True(onPublisher.Count == 0, $"{onPublisher.Count} supervisor log lines were written on the publisher's thread, e.g. {onPublisher.FirstOrDefault()}");
            Assert.Contains(logger.Lines, l => l.Message.Contains("dropped", StringComparison.OrdinalIgnoreCase));
            Assert.True(status is { State: EgressState.Live, Reconnects: 0, LastError: null }, $"the push ended after {soak.Elapsed.TotalSeconds:0.0} s: {status.State}, {status.LastError}");
            Assert.True(sink.Pauses - pausesAtLive > 100, "the sink paused, so the socket filled and the queue path ran");
            Assert.True(sink.Bytes - bytesAtLive > 2_000_000, $"only {sink.Bytes - bytesAtLive} bytes reached the sink");
        }

        hub.Complete();
    }
}
