using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// A consumer that can take a tag on the publisher's own thread, without a queue hop. Measured (docs/benchmarks.md):
/// with one queue and one wake-up per tag per destination, ten destinations cost the thread pool ~800 wake-ups a
/// second and most of Relay's fan-out CPU went to waking and parking threads, not to moving bytes. nginx-rtmp writes
/// every push socket from its event loop; this is the same idea: when the consumer's queue is empty and its socket
/// can take the bytes now, the publisher writes them itself. This is part of the hot-path contract stated once in
/// <c>Publishing/PublisherThread.cs</c> (which thread, which locks, what may run there).
/// </summary>
public interface IInlineTagWriter
{
    /// <summary>
    /// Called under the hub's publish lock, only while the subscription's queue is empty. Must never block and never
    /// throw, and should do nothing but the write and counter increments (no measuring, no logging: that belongs on
    /// the consumer's own threads; docs/egress.md). True when the tag is taken: sent whole, or partly sent with the rest handed to the consumer's own
    /// writer (which then owns ordering). False when nothing was sent: the tag is queued as usual.
    /// </summary>
    bool TryWrite(FlvTag tag);
}
