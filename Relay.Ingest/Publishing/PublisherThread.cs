namespace Relay.Ingest.Publishing;

/// <summary>
/// THE hot path of the media plane: one dedicated thread per plain-RTMP publisher, from accept to close.
/// <list type="bullet">
/// <item>It reads the publisher's socket with blocking calls (<see cref="BlockingSocketStream"/>): the kernel wakes
/// exactly this thread once per TCP read, and every <c>await</c> of the connection completes synchronously, so
/// <see cref="PublisherConnection"/> runs here to the end. The socket never sees an asynchronous operation.</item>
/// <item>On this thread the connection parses (<c>Rtmp.RtmpServerProtocol</c>, chunk reassembly straight into an FLV
/// tag), then publishes the tag into the channel's <c>Streams.StreamHub</c> under the hub lock (statistics, GOP
/// cache, one offer per subscriber).</item>
/// <item>While a destination's queue is empty, the offer writes that destination's socket inline, still on this
/// thread and under the hub lock (<c>Streams.IInlineTagWriter</c>): a non-blocking send that never waits for a lock
/// (it skips, and the tag is queued, when the destination's writer is busy). Otherwise the tag is queued and the
/// destination's own loop sends it.</item>
/// </list>
/// Rule: nothing that is not I/O may run on this thread under the hub lock: no waiting, no blocking send, no
/// allocation-heavy bookkeeping, no call into supervision or status code that takes its own locks. What a consumer
/// must compute per frame (rates, profiling, platform checks) it does on its own thread from counters.
/// Locks: the hub lock (<c>StreamHub</c>) is held only by the publishing thread and by subscribe, unsubscribe and
/// status reads, never across I/O that can wait. A destination's socket is owned by whoever holds that
/// destination's write lock (the egress session's); this thread only tries it (<c>Wait(0)</c>), its own loop waits
/// for it. RTMPS publishers stay on the thread pool (SslStream over the socket engine), with the same hub contract.
/// Why: through the thread pool one TCP read woke the socket engine's thread and one or two pool workers, and a
/// queue hop per tag per destination cost ~800 wake-ups a second at ten destinations; those wake-ups were most of
/// Relay's fan-out CPU (docs/benchmarks.md). A publisher costs one thread with a 256 KiB stack, and the number of
/// publishers is bounded by the pending-connection limits before authorization.
/// </summary>
internal static class PublisherThread
{
    /// <summary>The read loop keeps little on the stack; a small stack keeps a thread per connection cheap.</summary>
    private const int StackSize = 256 * 1024;

    public static Task RunAsync(Func<Task> connection)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // Every await in the connection completes synchronously on blocking I/O, so it runs here to the end.
                connection().GetAwaiter().GetResult();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, StackSize)
        {
            IsBackground = true,
            Name = "RTMP publisher",
        };
        thread.Start();
        return done.Task;
    }
}
