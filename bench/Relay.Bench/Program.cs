// Relay.Bench: SignalR load generator for the live room (MessagePack over WebSockets).
//   --base URL[,URL...]: several nodes of one cluster; connection i goes to node i mod n, the host and REST to the first
//   hub       --base URL --token ADMIN --conns N --seconds S --interval-ms 100 [--client lean|lean-async|signalr]
//             (lean = raw sockets read by one epoll loop, lean-async = raw sockets with async receives,
//              signalr = one HubConnection per receiver; see HubBench.cs)
//   sale      --base URL --token ADMIN --conns N --quantity 100 --spread-ms 1000
//   sustained --base URL --token ADMIN --conns N --seconds S
//   coupon    --base URL --token ADMIN --conns N --quantity 100 --spread-ms 1000 (N viewers claim a coupon of 100)
// Prints one JSON line with the results on stdout; progress on stderr.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

var opts = Args.Parse(args);
var mode = args.Length > 0 ? args[0] : "hub";
var clock = Stopwatch.StartNew();
ThreadPool.SetMinThreads(64, 64);

return mode switch
{
    "hub" when opts.Client is "lean" or "lean-async" => await HubBench.RunLeanAsync(opts, clock, OpenHost, Log),
    "hub" => await Hub(),
    "sale" => await new SaleBench(opts, clock, OpenGuests, OpenHost, Log).Sale(),
    "sustained" => await new SaleBench(opts, clock, OpenGuests, OpenHost, Log).Sustained(),
    "coupon" => await new CouponBench(opts, clock, OpenGuests, OpenHost, Log).Claim(),
    _ => Fail($"unknown mode {mode}"),
};

int Fail(string m) { Console.Error.WriteLine(m); return 2; }

void Log(string m) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} [bench] {m}");

HubConnection Build(string token, string? baseUrl = null) => new HubConnectionBuilder()
    .WithUrl($"{baseUrl ?? opts.Base}/hubs/live", o =>
    {
        o.Transports = HttpTransportType.WebSockets;
        o.SkipNegotiation = true;
        if (token.Length > 0) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
    })
    .AddMessagePackProtocol()
    .Build();

async Task<List<HubConnection>> OpenGuests(int n, Action<HubConnection>? setup)
{
    var list = new HubConnection[n];
    var done = 0; var failed = 0;
    using var gate = new SemaphoreSlim(50);
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var c = Build("", opts.BaseFor(i));
                setup?.Invoke(c);
                try
                {
                    await c.StartAsync();
                    await c.InvokeAsync<object>("Join", "demo", new Dictionary<string, object> { ["displayName"] = $"g{i}" });
                    list[i] = c;
                    break;
                }
                catch (Exception) when (attempt < 5)
                {
                    Interlocked.Increment(ref failed);
                    await c.DisposeAsync();
                    await Task.Delay(200);
                }
            }
            var d = Interlocked.Increment(ref done);
            if (d % 1000 == 0) Log($"{d}/{n} connected ({sw.Elapsed.TotalSeconds:F1} s)");
        }
        finally { gate.Release(); }
    }));
    Log($"{n} connections joined in {sw.Elapsed.TotalSeconds:F1} s ({failed} retried attempts)");
    return list.ToList();
}

async Task<HubConnection> OpenHost()
{
    var host = Build(opts.Token);
    await host.StartAsync();
    await host.InvokeAsync<object>("Join", "demo", new Dictionary<string, object>());
    return host;
}

async Task<int> Hub()
{
    var hist = new Histogram();
    long received = 0;
    var sent = new ConcurrentDictionary<long, long>();
    var conns = await OpenGuests(opts.Conns, c => c.On<Dictionary<object, object>>("message", m =>
    {
        var now = clock.ElapsedTicks;
        if (m.TryGetValue("text", out var t) && t is string s && s.StartsWith("bench ", StringComparison.Ordinal)
            && long.TryParse(s.AsSpan(6), out var seq) && sent.TryGetValue(seq, out var at))
        {
            hist.Add(now - at);
            Interlocked.Increment(ref received);
        }
    }));
    var host = await OpenHost();
    var (seqNo, errors, sendSeconds) = await HubBench.SendAsync(host, opts, clock, conns.Count, long.MaxValue, (seq, ticks) => sent[seq] = ticks, Log);
    await Task.Delay(3000); // drain
    var expected = seqNo * conns.Count;
    var result = new
    {
        mode = "hub", conns = conns.Count, sentMessages = seqNo, sendErrors = errors, expectedDeliveries = expected,
        delivered = Interlocked.Read(ref received), deliveredRatio = (double)received / expected,
        deliveriesPerSecond = received / (sendSeconds + 0.0), p50Ms = hist.Percentile(50), p99Ms = hist.Percentile(99),
        p999Ms = hist.Percentile(99.9), maxMs = hist.Max,
    };
    Console.WriteLine(JsonSerializer.Serialize(result));
    await host.DisposeAsync();
    await Task.WhenAll(conns.Select(c => c.DisposeAsync().AsTask()));
    return 0;
}

sealed class Histogram
{
    // 0.1 ms buckets up to 60 s.
    private readonly long[] _buckets = new long[600_000];
    private long _count, _maxTicks;

    public void Add(long stopwatchTicks)
    {
        var ms = stopwatchTicks * 1000.0 / Stopwatch.Frequency;
        var b = (int)Math.Clamp(ms * 10, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[b]);
        Interlocked.Increment(ref _count);
        long cur;
        while (stopwatchTicks > (cur = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, stopwatchTicks, cur) != cur) { }
    }

    public double Max => Math.Round(_maxTicks * 1000.0 / Stopwatch.Frequency, 1);

    public double Percentile(double p)
    {
        var target = (long)Math.Ceiling(_count * p / 100.0);
        long acc = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            acc += _buckets[i];
            if (acc >= target && target > 0) return Math.Round((i + 1) / 10.0, 1);
        }
        return double.NaN;
    }
}

sealed record Args(string[] Bases, string Token, int Conns, int Seconds, int IntervalMs, int Quantity, int SpreadMs, string Client)
{
    /// <summary>The first node: the host connection and every REST call go there.</summary>
    public string Base => Bases[0];

    /// <summary>The node connection <paramref name="i"/> goes to (round robin, as a load balancer would spread them).</summary>
    public string BaseFor(int i) => Bases[i % Bases.Length];

    public static Args Parse(string[] a)
    {
        string Get(string k, string d) { var i = Array.IndexOf(a, k); return i >= 0 && i + 1 < a.Length ? a[i + 1] : d; }
        return new Args(Get("--base", "http://127.0.0.1:5000").Split(',', StringSplitOptions.RemoveEmptyEntries), Get("--token", ""), int.Parse(Get("--conns", "1000")),
            int.Parse(Get("--seconds", "30")), int.Parse(Get("--interval-ms", "100")), int.Parse(Get("--quantity", "100")),
            int.Parse(Get("--spread-ms", "1000")), Get("--client", "lean"));
    }
}
