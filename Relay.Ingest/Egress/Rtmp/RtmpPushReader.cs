using System.IO.Pipelines;
using System.Net.Sockets;
using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// The read side of a <see cref="RtmpPushSession"/>: feeds what the server sends to the <see cref="RtmpClientProtocol"/>,
/// has the session send what the protocol wrote (<paramref name="send"/>, under the session's write lock), completes
/// <see cref="Setup"/> when the publish started or was refused, and keeps why the far side ended the push (first
/// reason wins, whichever side saw it) and when the server last acknowledged. When it ends it cancels
/// <paramref name="peerGone"/>, which ends the session's forward loop.
/// </summary>
internal sealed class RtmpPushReader(
    Stream stream, RtmpClientProtocol protocol, TimeProvider time, string publishName,
    Func<ReadOnlyMemory<byte>, CancellationToken, Task> send, CancellationTokenSource peerGone)
{
    private readonly TaskCompletionSource<EgressOutcome?> _setup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EgressOutcome? _failure;
    private long _acknowledgementsSeen;
    private long _lastAckTimestamp;

    /// <summary>Null once the server accepted the publish, else why not.</summary>
    public Task<EgressOutcome?> Setup => _setup.Task;

    public EgressOutcome? Failure => Volatile.Read(ref _failure);

    /// <summary>When the server last acknowledged our bytes (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastAcknowledgedAt => Interlocked.Read(ref _lastAckTimestamp);

    /// <summary>Records why the push ended unless a reason was recorded first.</summary>
    public void Fail(EgressOutcome outcome) => Interlocked.CompareExchange(ref _failure, outcome, null);

    /// <summary>Media starts: the stall clock for acknowledgements starts now.</summary>
    public void RestartAcknowledgementClock() => Interlocked.Exchange(ref _lastAckTimestamp, time.GetTimestamp());

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            // What StartPublish wrote (Set Chunk Size, connect); the protocol writes the rest as the server answers.
            await SendOutputAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        var next = protocol.Read(ref buffer);
                        await SendOutputAsync(cancellationToken).ConfigureAwait(false);
                        NoteAcknowledgements();
                        if (next == RtmpClientEvent.NeedMoreData)
                        {
                            break;
                        }

                        if (next == RtmpClientEvent.Publishing)
                        {
                            _setup.TrySetResult(null);
                            continue;
                        }

                        var failure = RtmpPushFailures.Describe(next, protocol, publishName);
                        if (next == RtmpClientEvent.Refused)
                        {
                            _setup.TrySetResult(failure);
                        }
                        else
                        {
                            Fail(failure);
                        }

                        return;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    Fail(new EgressOutcome(EgressStage.ClosedByPeer, "connection closed by server"));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Fail(new EgressOutcome(EgressStage.ClosedByPeer, "connection closed by server: " + (ex.InnerException?.Message ?? ex.Message)));
        }
        finally
        {
            _setup.TrySetResult(Failure ?? RtmpPushFailures.ClosedDuringSetup(protocol.State));
            await reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await peerGone.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task SendOutputAsync(CancellationToken cancellationToken)
    {
        if (protocol.Output.Length > 0)
        {
            await send(protocol.Output, cancellationToken).ConfigureAwait(false);
            protocol.ClearOutput();
        }
    }

    /// <summary>When the server last acknowledged: a peer that stops acknowledging while we send is a dead reader.</summary>
    private void NoteAcknowledgements()
    {
        var count = protocol.AcknowledgementsReceived;
        if (count != _acknowledgementsSeen)
        {
            _acknowledgementsSeen = count;
            Interlocked.Exchange(ref _lastAckTimestamp, time.GetTimestamp());
        }
    }
}
