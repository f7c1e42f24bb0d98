// Relay.EgressBench: the egress CPU measurements quoted in docs/egress.md, printed on stdout.
//   native      relay process CPU for a source alone, then with 10 native RTMP destinations (nginx-rtmp)
//   transcode   CPU and RSS of one transcoding ffmpeg (9:16 profile)
//   (no argument: both)
using Relay.EgressBench;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var which = args.Length > 0 ? args[0] : "all";
if (which is "all" or "native") await EgressBenchmarks.Cpu_per_native_destination(cts.Token);
if (which is "all" or "transcode") await EgressBenchmarks.Cpu_of_a_transcoding_destination(cts.Token);
if (which is not ("all" or "native" or "transcode"))
{
    Console.Error.WriteLine($"unknown measurement '{which}': use native, transcode or nothing for both");
    return 2;
}

return 0;
