using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Relay.Chat.Channels;

namespace Relay.Tests.Common.Chat;

/// <summary>The tests' stand-in for the server's channel store.</summary>
public sealed class InMemoryChannelDirectory : IChannelDirectory, IHostCredentials
{
    private static long s_generation;

    public const string AdminToken = "admin-token-for-tests-0123456789";

    private readonly ConcurrentDictionary<string, (ChannelInfo Info, string HostKey, long Generation)> _channels = new();

    public InMemoryChannelDirectory Add(string id, string hostKey, params LineupItem[] lineup)
    {
        _channels[id] = (new ChannelInfo(id, "Show " + id, false, lineup), hostKey, Interlocked.Increment(ref s_generation));
        return this;
    }

    public long? HostKeyGeneration(string channelId) => _channels.TryGetValue(channelId, out var c) ? c.Generation : null;

    public bool IsKnownCredential(string token) => Same(AdminToken, token) || _channels.Values.Any(c => Same(c.HostKey, token));

    public ValueTask<ChannelInfo?> FindChannelAsync(string channelId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_channels.TryGetValue(channelId, out var c) ? c.Info : null);

    public ValueTask<bool> IsHostKeyAsync(string channelId, string presentedKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_channels.TryGetValue(channelId, out var c) && Same(c.HostKey, presentedKey));

    public ValueTask<bool> IsAdminTokenAsync(string presentedToken, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Same(AdminToken, presentedToken));

    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
