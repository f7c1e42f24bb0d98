using System.Text.Json;
using StackExchange.Redis;

namespace Relay.Server.Cluster.Nodes;

/// <summary>
/// The registry in Redis: each node writes its <see cref="NodeInfo"/> as JSON to <c>relay:node:{id}</c> with an expiry
/// of <see cref="ClusterNode.Lease"/> and adds its id to the set <c>relay:nodes</c>. An entry that was not renewed
/// expires on Redis's clock, so a node killed with -9 drops out of the list within one lease; the set is only an
/// index, cleaned of ids whose entry expired whenever the list is read. A Redis restarted empty is filled again by
/// the next heartbeat of every node.
/// </summary>
public sealed class RedisNodeRegistry(IConnectionMultiplexer redis, ClusterNode node) : INodeRegistry
{
    public const string IndexKey = "relay:nodes";
    public const string EntryPrefix = "relay:node:";

    public static RedisKey EntryKey(string id) => EntryPrefix + id;

    public async Task WriteAsync(NodeInfo entry)
    {
        var db = redis.GetDatabase();
        var json = JsonSerializer.Serialize(entry, NodesJsonContext.Default.NodeInfo);
        var batch = db.CreateBatch();
        var set = batch.StringSetAsync(EntryKey(entry.Id), json, node.Lease);
        var index = batch.SetAddAsync(IndexKey, entry.Id);
        batch.Execute();
        await Task.WhenAll(set, index).WaitAsync(DependencyProbe.Timeout);
    }

    public async Task RemoveAsync(string id)
    {
        var db = redis.GetDatabase();
        await Task.WhenAll(db.KeyDeleteAsync(EntryKey(id)), db.SetRemoveAsync(IndexKey, id)).WaitAsync(DependencyProbe.Timeout);
    }

    public async Task<IReadOnlyList<NodeInfo>> ListAsync(CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var ids = (await db.SetMembersAsync(IndexKey).WaitAsync(DependencyProbe.Timeout, ct)).Select(v => v.ToString()).Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var values = await db.StringGetAsync([.. ids.Select(EntryKey)]).WaitAsync(DependencyProbe.Timeout, ct);
        var alive = new List<NodeInfo>(ids.Count);
        var expired = new List<RedisValue>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (values[i].IsNullOrEmpty || Parse(values[i]!) is not { } entry)
            {
                expired.Add(ids[i]);
                continue;
            }

            alive.Add(entry);
        }

        if (expired.Count > 0)
        {
            // Fire and forget: a node that renews at the same moment adds itself back on its next heartbeat.
            _ = db.SetRemoveAsync(IndexKey, [.. expired], CommandFlags.FireAndForget);
        }

        return alive;
    }

    private static NodeInfo? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, NodesJsonContext.Default.NodeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
