using System.Buffers;
using System.Net.Sockets;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Streams;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// One connected push: the stream, its read side (<see cref="RtmpPushReader"/>, which feeds the server's bytes to the
/// <see cref="RtmpClientProtocol"/>), and one writer at a time. Single-writer rule: whoever holds <c>_writeLock</c>
/// owns the stream and the media buffer. Media reaches the stream two ways, never at the same time: inline from the
/// publisher's thread while nothing is queued (<see cref="TryWrite"/>: plain TCP only; the write and counter
/// increments, nothing else), or from <see cref="ForwardAsync"/>'s loop, which drains the queue when the inline path
/// could not take a tag (socket full, a reply being sent). RTMPS pushes keep the same lock but never write inline:
/// <see cref="System.Net.Security.SslStream"/> has no non-blocking write, and a blocked write on the publisher's
/// thread would stall the ingest and every other destination, so they always take the queued path.
/// </summary>
internal sealed class RtmpPushSession(Stream stream, Socket? plainSocket, RtmpClientProtocol protocol, RtmpPushSettings settings, TimeProvider time, string publishName)
    : IInlineTagWriter, IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _peerGone = new();
    // One buffer for media from either path: both write only while holding _writeLock, and a partial inline send
    // copies its remainder out before the lock can pass on.
    private readonly ArrayBufferWriter<byte> _out = new(64 * 1024);
    private PushCounters? _counters;
    private RtmpPushReader? _reader;
    private Task? _readLoop;
    private int _inlineFailed;

    /// <summary>Why the push ended from the far side (closed, refused to go on, broke the protocol, a failed inline send).</summary>
    public EgressOutcome? PeerFailure => _reader?.Failure;

    /// <summary>Runs the command sequence: null once the server accepted the publish, else why not.</summary>
    /// <param name="setupToken">Bounds the setup (the caller's setup timeout).</param>
    /// <param name="stopToken">Ends the read loop with the push.</param>
    public async Task<EgressOutcome?> PublishAsync(CancellationToken setupToken, CancellationToken stopToken)
    {
        protocol.StartPublish();
        _reader = new RtmpPushReader(stream, protocol, time, publishName, SendAsync, _peerGone);
        _readLoop = Task.Run(() => _reader.RunAsync(stopToken), CancellationToken.None);
        return await _reader.Setup.WaitAsync(setupToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Forwards the feed until it ends or the push fails. What was sent is counted in <paramref name="counters"/> by
    /// the writer holding the lock, so counts come from one thread at a time and in wire order.
    /// </summary>
    public async Task<EgressOutcome> ForwardAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _peerGone.Token);
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var writeToken = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, stall.Token);
        var reader = feed.Frames;
        var sent = new List<(FlvTag Frame, int Bytes)>();
        _reader!.RestartAcknowledgementClock();
        _counters = counters;
        var inline = plainSocket is not null && feed.SetInlineWriter(this);
        try
        {
            while (await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
            {
                await _writeLock.WaitAsync(linked.Token).ConfigureAwait(false);
                try
                {
                    _out.ResetWrittenCount();
                    sent.Clear();
                    while (_out.WrittenCount < settings.MaxBatchBytes && reader.TryRead(out var frame))
                    {
                        var before = _out.WrittenCount;
                        protocol.WriteMedia(_out, frame);
                        sent.Add((frame, _out.WrittenCount - before));
                    }

                    if (_out.WrittenCount == 0)
                    {
                        continue; // the inline path took them meanwhile
                    }

                    stall.CancelAfter(settings.StallTimeout);
                    await stream.WriteAsync(_out.WrittenMemory, writeToken.Token).ConfigureAwait(false);
                    await stream.FlushAsync(writeToken.Token).ConfigureAwait(false);
                    if (!stall.TryReset())
                    {
                        return Stalled("no bytes accepted");
                    }

                    protocol.AddSent(_out.WrittenCount);
                    foreach (var (frame, bytes) in sent)
                    {
                        counters.Add(frame, bytes);
                    }
                }
                finally
                {
                    _writeLock.Release();
                }

                if (AckOverdue())
                {
                    return Stalled("no acknowledgement");
                }
            }

            return EgressOutcome.Ended;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return EgressOutcome.Canceled;
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested)
        {
            return Stalled("no bytes accepted");
        }
        catch (OperationCanceledException)
        {
            return PeerFailure ?? new EgressOutcome(EgressStage.ClosedByPeer, "connection closed by server");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return PeerFailure ?? new EgressOutcome(EgressStage.Send, "send failed: " + (ex.InnerException?.Message ?? ex.Message));
        }
        finally
        {
            if (inline)
            {
                feed.SetInlineWriter(null);
            }
        }
    }

    /// <inheritdoc />
    public bool TryWrite(FlvTag tag)
    {
        if (plainSocket is null || Volatile.Read(ref _inlineFailed) != 0 || !_writeLock.Wait(0))
        {
            return false;
        }

        var handedOff = false;
        try
        {
            _out.ResetWrittenCount();
            protocol.WriteMedia(_out, tag);
            var bytes = _out.WrittenSpan;
            var accepted = plainSocket.Send(bytes, SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                FailInline(new EgressOutcome(EgressStage.Send, "send failed: " + error));
                return true;
            }

            if (accepted <= 0)
            {
                return false; // socket full: queue it; the loop waits for room
            }

            protocol.AddSent(bytes.Length);
            if (accepted < bytes.Length)
            {
                // Part of the tag is on the wire: the rest must follow before anything else, so it keeps the lock.
                handedOff = true;
                _ = FlushRemainderAsync(bytes[accepted..].ToArray());
            }

            _counters?.Add(tag, bytes.Length);
            if (AckOverdue())
            {
                FailInline(Stalled("no acknowledgement"));
            }

            return true;
        }
        catch (Exception ex)
        {
            // Never let a destination's failure reach the publisher's thread.
            FailInline(new EgressOutcome(EgressStage.Send, "send failed: " + ex.Message));
            return true;
        }
        finally
        {
            if (!handedOff)
            {
                _writeLock.Release();
            }
        }
    }

    private async Task FlushRemainderAsync(byte[] remainder)
    {
        try
        {
            using var stall = new CancellationTokenSource(settings.StallTimeout, time);
            await stream.WriteAsync(remainder, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            FailInline(Stalled("no bytes accepted"));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            FailInline(new EgressOutcome(EgressStage.Send, "send failed: " + (ex.InnerException?.Message ?? ex.Message)));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Ends the push from the publisher's side: the forward loop wakes on the cancellation and reports it.</summary>
    private void FailInline(EgressOutcome outcome)
    {
        if (Interlocked.Exchange(ref _inlineFailed, 1) != 0)
        {
            return;
        }

        _reader!.Fail(outcome);
        // Not on the publisher's thread: cancellation callbacks run the forward loop's continuations.
        ThreadPool.UnsafeQueueUserWorkItem(static session =>
        {
            try
            {
                session._peerGone.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }, this, preferLocal: false);
    }

    private EgressOutcome Stalled(string what) =>
        new(EgressStage.Stalled, $"stalled: {what} for {settings.StallTimeout.TotalSeconds:0.#} s");

    /// <summary>
    /// Only peers that have acknowledged before are held to it: some servers never send acknowledgements, and a
    /// missing one must not then read as a stall. Three windows unacknowledged for the stall time is a dead reader.
    /// </summary>
    private bool AckOverdue() =>
        protocol.AcknowledgementsReceived > 0 &&
        protocol.UnacknowledgedBytes > 3L * settings.WindowAcknowledgementSize &&
        time.GetElapsedTime(_reader!.LastAcknowledgedAt) > settings.StallTimeout;

    public async Task UnpublishAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            protocol.WriteUnpublish(buffer);
            await SendAsync(buffer.WrittenMemory, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Best effort: the server notices the closed socket anyway.
        }
    }

    /// <summary>Writes commands or control replies as one writer among the others (the read loop's replies come here).</summary>
    private async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            protocol.AddSent(bytes.Length);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _peerGone.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        // Closing the stream ends the read loop; wait for it so nothing touches the stream afterwards.
        await stream.DisposeAsync().ConfigureAwait(false);
        if (_readLoop is not null)
        {
            await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _peerGone.Dispose();
        _writeLock.Dispose();
    }
}
