namespace Relay.Tests.Common.Peers;

/// <summary>Counts this process's sockets to the sink every 50 ms: the push's connections across the switches.</summary>
public sealed class SocketSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<(int Min, int Max, int Samples)> _loop;

    private SocketSampler(int port) => _loop = Task.Run(() => SampleAsync(port, _stop.Token));

    public static SocketSampler Start(int port) => new(port);

    public async Task<(int Min, int Max, int Samples)> StopAsync()
    {
        await _stop.CancelAsync();
        return await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private static async Task<(int Min, int Max, int Samples)> SampleAsync(int port, CancellationToken stop)
    {
        var (min, max, samples) = (int.MaxValue, 0, 0);
        while (!stop.IsCancellationRequested)
        {
            var count = Leftovers.OwnSocketsOn([port]).Count;
            (min, max, samples) = (Math.Min(min, count), Math.Max(max, count), samples + 1);
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return (min, max, samples);
    }
}
