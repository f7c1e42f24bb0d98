using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace Relay.Tests.Common.Chat;

/// <summary>Collects one event type from a connection so a test can await the next one (with a timeout).</summary>
public sealed class EventInbox<T>
{
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    public EventInbox(HubConnection connection, string eventName) =>
        connection.On<T>(eventName, item =>
        {
            lock (_all) _all.Add(item);
            _items.Writer.TryWrite(item);
        });

    public IReadOnlyList<T> All { get { lock (_all) return [.. _all]; } }

    public async Task<T> NextAsync(double seconds = 10)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        try
        {
            return await _items.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {typeof(T).Name} event within {seconds} s");
        }
    }

    /// <summary>Waits for the first event matching <paramref name="match"/>, skipping others.</summary>
    public async Task<T> NextMatchingAsync(Func<T, bool> match, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var left = (deadline - DateTime.UtcNow).TotalSeconds;
            if (left <= 0) throw new TimeoutException($"no matching {typeof(T).Name} event within {seconds} s");
            var item = await NextAsync(left);
            if (match(item)) return item;
        }
    }

    /// <summary>True if no event arrives within <paramref name="seconds"/>.</summary>
    public async Task<bool> StaysQuietAsync(double seconds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _items.Reader.WaitToReadAsync(timeout.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
