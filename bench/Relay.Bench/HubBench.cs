// Hub fan-out with lean receivers (LeanHubClient) and a real SignalR host that sends "bench SEQ" every interval.
// Same method and result fields as the SignalR-client receivers (`--client signalr`), plus the drain time.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

static class HubBench
{
    /// <summary>After a 2 s settle, the host sends `SendMessage("bench SEQ")` every interval for the run's seconds
    /// (at most <paramref name="maxSeq"/> messages); <paramref name="onSent"/> notes each send time first.</summary>
    public static async Task<(long Sent, int Errors, double Seconds)> SendAsync(HubConnection host, Args opts, Stopwatch clock,
        int receivers, long maxSeq, Action<long, long> onSent, Action<string> log)
    {
        await Task.Delay(2000);
        log($"host sends a message every {opts.IntervalMs} ms for {opts.Seconds} s to {receivers} connections");
        var errors = 0; long seqNo = 0;
        var start = clock.Elapsed;
        var next = clock.Elapsed;
        while (clock.Elapsed - start < TimeSpan.FromSeconds(opts.Seconds) && seqNo < maxSeq)
        {
            var seq = ++seqNo;
            onSent(seq, clock.ElapsedTicks);
            _ = host.SendAsync("SendMessage", $"bench {seq}").ContinueWith(t => { if (t.IsFaulted) Interlocked.Increment(ref errors); },
                TaskScheduler.Default);
            next += TimeSpan.FromMilliseconds(opts.IntervalMs);
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
        }
        return (seqNo, Volatile.Read(ref errors), (clock.Elapsed - start).TotalSeconds);
    }

    public static async Task<int> RunLeanAsync(Args opts, Stopwatch clock, Func<Task<HubConnection>> openHost, Action<string> log)
    {
        var hist = new Histogram();
        var expectedMessages = (int)(opts.Seconds * 1000L / opts.IntervalMs) + 16;
        var sentAt = new long[expectedMessages + 1];
        long received = 0, lastDeliveryTicks = 0;
        void OnBench(long seq)
        {
            var now = clock.ElapsedTicks;
            if (seq <= 0 || seq >= sentAt.Length || Volatile.Read(ref sentAt[seq]) is var at && at == 0) return;
            hist.Add(now - at);
            Interlocked.Increment(ref received);
            Volatile.Write(ref lastDeliveryTicks, now);
        }

        var conns = new LeanHubClient[opts.Conns];
        var done = 0; var retried = 0; var reported = 0;
        var sw = Stopwatch.StartNew();
        var epoll = opts.Client == "lean" ? new EpollReceiver() : null;
        if (epoll is not null)
        {
            // Blocking connects on a few dedicated threads (the sockets must stay out of the runtime's epoll engine).
            var nextIndex = -1;
            var workers = Enumerable.Range(0, 16).Select(_ => new Thread(() =>
            {
                for (var i = Interlocked.Increment(ref nextIndex); i < conns.Length; i = Interlocked.Increment(ref nextIndex))
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            conns[i] = LeanHubClient.ConnectBlocking(new Uri(opts.BaseFor(i)), "demo", $"g{i}", OnBench);
                            break;
                        }
                        catch (Exception e) when (attempt < 5)
                        {
                            if (Interlocked.Increment(ref reported) <= 3) log($"connect {i} failed: {e.GetType().Name}: {e.Message}");
                            Interlocked.Increment(ref retried);
                            Thread.Sleep(200);
                        }
                    }
                    if (Interlocked.Increment(ref done) % 1000 == 0) log($"{done}/{opts.Conns} connected ({sw.Elapsed.TotalSeconds:F1} s)");
                }
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            epoll.Start(conns);
        }
        else
        {
            using var gate = new SemaphoreSlim(50);
            await Task.WhenAll(Enumerable.Range(0, opts.Conns).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            conns[i] = await LeanHubClient.ConnectAsync(new Uri(opts.BaseFor(i)), "demo", $"g{i}", OnBench, CancellationToken.None);
                            break;
                        }
                        catch (Exception e) when (attempt < 5)
                        {
                            if (Interlocked.Increment(ref reported) <= 3) log($"connect {i} failed: {e.GetType().Name}: {e.Message}");
                            Interlocked.Increment(ref retried);
                            await Task.Delay(200);
                        }
                    }
                    if (Interlocked.Increment(ref done) % 1000 == 0) log($"{done}/{opts.Conns} connected ({sw.Elapsed.TotalSeconds:F1} s)");
                }
                finally { gate.Release(); }
            }));
        }
        log($"{opts.Conns} lean connections ({opts.Client}) joined in {sw.Elapsed.TotalSeconds:F1} s ({retried} retried attempts)");

        // The server closes a connection that sent nothing for 30 s (ClientTimeoutInterval): ping every 10 s.
        using var stopPings = new CancellationTokenSource();
        var pings = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(10_000, stopPings.Token);
                    foreach (var c in conns)
                    {
                        if (epoll is not null) { c.Ping(); continue; }
                        try { await c.PingAsync(stopPings.Token); }
                        catch (Exception e) when (e is not OperationCanceledException) { }
                    }
                }
            }
            catch (OperationCanceledException) { }
        });

        var host = await openHost();
        var (seqNo, errors, sendSeconds) = await SendAsync(host, opts, clock, conns.Length, sentAt.Length - 1,
            (seq, ticks) => Volatile.Write(ref sentAt[seq], ticks), log);
        var lastSendTicks = Volatile.Read(ref sentAt[seqNo]);
        var expected = seqNo * conns.Length;
        // Drain: wait until everything arrived, or until nothing arrived for 3 s (at most 30 s).
        var drainStart = clock.Elapsed;
        var lastCount = -1L; var lastChange = clock.Elapsed;
        while (Interlocked.Read(ref received) < expected && clock.Elapsed - drainStart < TimeSpan.FromSeconds(30))
        {
            var now = Interlocked.Read(ref received);
            if (now != lastCount) (lastCount, lastChange) = (now, clock.Elapsed);
            else if (clock.Elapsed - lastChange > TimeSpan.FromSeconds(3)) break;
            await Task.Delay(50);
        }
        var delivered = Interlocked.Read(ref received);
        var drainMs = Math.Max(0, Volatile.Read(ref lastDeliveryTicks) - lastSendTicks) * 1000.0 / Stopwatch.Frequency;
        var result = new
        {
            mode = "hub", client = opts.Client, conns = conns.Length, sentMessages = seqNo, sendErrors = errors, expectedDeliveries = expected,
            delivered, deliveredRatio = (double)delivered / expected, deliveriesPerSecond = delivered / sendSeconds,
            drainMs = Math.Round(drainMs, 1), closedConnections = conns.Count(c => Interlocked.Read(ref c.Closed) != 0),
            p50Ms = hist.Percentile(50), p99Ms = hist.Percentile(99), p999Ms = hist.Percentile(99.9), maxMs = hist.Max,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        stopPings.Cancel();
        await pings;
        await host.DisposeAsync();
        epoll?.Dispose();
        await Task.WhenAll(conns.Select(c => c.DisposeAsync().AsTask()));
        return 0;
    }
}
