using System.Net.Sockets;

namespace Relay.Ingest.Publishing;

/// <summary>
/// A plain-RTMP publisher's socket as a stream whose reads and writes block the calling thread, so the whole native
/// ingest of one publisher (handshake, commands, media into the hub, inline sends to the destinations) runs on one
/// thread of its own (<see cref="PublisherThread"/>, which states the whole contract): one kernel wake-up per TCP read. Through the thread pool a read
/// took the socket engine's thread, a pool worker and often a second worker; measured in docs/benchmarks.md.
/// The socket must never see an asynchronous operation: .NET then switches its descriptor to non-blocking for good
/// and emulates blocking calls through the socket engine, which would bring the hops back.
/// Cancellation (handshake deadline, inactivity, shutdown, a kick) shuts the socket down, which ends a blocked read or
/// write; the connection is over by then anyway.
/// </summary>
internal sealed class BlockingSocketStream(Socket socket) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => socket.Receive(buffer, SocketFlags.None);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Only the reading side: a blocked recv returns at once and the peer sees nothing yet, so the connection can
        // still count and log why it ends before the client notices (tests and operators rely on that order).
        using var registration = cancellationToken.UnsafeRegister(static s => Shut((Socket)s!, SocketShutdown.Receive), socket);
        try
        {
            var read = socket.Receive(buffer.Span, SocketFlags.None);
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(read);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[socket.Send(buffer, SocketFlags.None)..];
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var registration = cancellationToken.UnsafeRegister(static s => Shut((Socket)s!, SocketShutdown.Both), socket);
        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void Shut(Socket socket, SocketShutdown how)
    {
        try
        {
            socket.Shutdown(how);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
