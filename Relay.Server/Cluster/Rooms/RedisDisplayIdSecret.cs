using System.Security.Cryptography;
using Relay.Chat.Identity;
using StackExchange.Redis;

namespace Relay.Server.Cluster.Rooms;

/// <summary>The display-id secret of the cluster: the first node to ask draws it and stores it in Redis (SET NX), every
/// node reads the same one, so a participant has one display id per room on every node and a mute made on one node holds
/// on the others. It never leaves Redis and the nodes' memory; if Redis loses it, the next one drawn changes every display
/// id (as a restart of a single node does).</summary>
internal sealed class RedisDisplayIdSecret(IConnectionMultiplexer redis) : IDisplayIdSecret
{
    public byte[] Secret()
    {
        var db = redis.GetDatabase();
        db.StringSet(RoomKeys.DisplayIdSecret, RandomNumberGenerator.GetBytes(32), when: When.NotExists);
        var secret = (byte[]?)db.StringGet(RoomKeys.DisplayIdSecret);
        return secret is { Length: >= 32 } ? secret : throw new InvalidOperationException("the shared display-id secret could not be read from Redis");
    }
}
