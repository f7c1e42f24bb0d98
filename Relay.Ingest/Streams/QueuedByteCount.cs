namespace Relay.Ingest.Streams;

/// <summary>Bytes of the tags waiting in a queue, shared by its writer and its <see cref="ByteCountingReader"/>.</summary>
public sealed class QueuedByteCount
{
    private long _bytes;

    public long Value => Interlocked.Read(ref _bytes);

    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Reset() => Interlocked.Exchange(ref _bytes, 0);
}
