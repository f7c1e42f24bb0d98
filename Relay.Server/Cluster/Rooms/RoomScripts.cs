namespace Relay.Server.Cluster.Rooms;

/// <summary>
/// The room bus's Lua scripts. Each runs atomically in Redis, so a room's seq is taken, its shared state changed and the
/// event published in one step: the order of the messages on <see cref="RoomKeys.Events"/> is the order of the seqs, on
/// every node. Numbers are written with <c>%.0f</c>: a seq (microseconds since 1970 at the room's first event, then + 1
/// per event) has 16 digits, more than Lua's default number format keeps.
/// </summary>
internal static class RoomScripts
{
    /// <summary>Takes the room's next seq (starting from the clock in microseconds when the key is new, so a room's seq never
    /// goes back, not even after Redis lost its data).</summary>
    private const string NextSeq = """
        local function nextseq(key)
          if redis.call('EXISTS', key) == 0 then
            local t = redis.call('TIME')
            redis.call('SET', key, string.format('%.0f', tonumber(t[1]) * 1000000 + math.floor(tonumber(t[2]) / 1000) * 1000))
          end
          return redis.call('INCR', key)
        end
        """;

    /// <summary>KEYS: seq, state, recent, mutes. ARGV: channel, event JSON, quiet (1/0), ttl ms, op, op arguments (a coupon's
    /// drop also removes the coupons that have ended).
    /// Returns the seq (0 for a quiet event).</summary>
    public const string Publish = NextSeq + """

        local seq = 0
        if ARGV[3] == '0' then seq = nextseq(KEYS[1]) end
        local seqtext = string.format('%.0f', seq)
        local op = ARGV[5]
        if op == 'message' then
          local limit = tonumber(ARGV[7])
          if limit > 0 then
            redis.call('RPUSH', KEYS[3], seqtext .. ' ' .. ARGV[6])
            redis.call('LTRIM', KEYS[3], -limit, -1)
          end
        elseif op == 'deleted' then
          for _, v in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
            if string.find(v, ARGV[6], 1, true) then
              redis.call('LREM', KEYS[3], 1, v)
              break
            end
          end
        elseif op == 'pin' then
          redis.call('HSET', KEYS[2], 'pin', ARGV[6])
        elseif op == 'unpin' then
          redis.call('HDEL', KEYS[2], 'pin')
        elseif op == 'sale' then
          redis.call('HSET', KEYS[2], 'sale', ARGV[6], 'saleId', ARGV[7])
        elseif op == 'saleEnded' then
          if redis.call('HGET', KEYS[2], 'saleId') == ARGV[6] then redis.call('HDEL', KEYS[2], 'sale', 'saleId') end
        elseif op == 'mute' then
          if ARGV[7] == '' then redis.call('HDEL', KEYS[4], ARGV[6]) else redis.call('HSET', KEYS[4], ARGV[6], ARGV[7]) end
          local all = redis.call('HGETALL', KEYS[4])
          for i = 1, #all, 2 do
            if tonumber(all[i + 1]) <= tonumber(ARGV[8]) then redis.call('HDEL', KEYS[4], all[i]) end
          end
        elseif op == 'slow' then
          redis.call('HSET', KEYS[2], 'slow', ARGV[6])
        elseif op == 'coupon' then
          redis.call('HSET', KEYS[2], 'coupon:' .. ARGV[7], ARGV[6], 'couponEnd:' .. ARGV[7], ARGV[8])
          local all = redis.call('HGETALL', KEYS[2])
          for i = 1, #all, 2 do
            if string.sub(all[i], 1, 10) == 'couponEnd:' and tonumber(all[i + 1]) <= tonumber(ARGV[9]) then
              local id = string.sub(all[i], 11)
              redis.call('HDEL', KEYS[2], all[i], 'coupon:' .. id, 'couponLeft:' .. id)
            end
          end
        elseif op == 'couponLeft' then
          if redis.call('HEXISTS', KEYS[2], 'coupon:' .. ARGV[6]) == 1 then
            local left = redis.call('HGET', KEYS[2], 'couponLeft:' .. ARGV[6])
            if (not left) or tonumber(left) > tonumber(ARGV[7]) then redis.call('HSET', KEYS[2], 'couponLeft:' .. ARGV[6], ARGV[7]) end
          end
        elseif op == 'draw' then
          redis.call('HSET', KEYS[2], 'draw', ARGV[6])
          redis.call('HDEL', KEYS[2], 'drawEntrants')
        elseif op == 'drawEntrants' then
          local old = redis.call('HGET', KEYS[2], 'drawEntrants')
          local id, n = string.match(ARGV[6], '^(%S*) (%d+)$')
          local keep = false
          if old then
            local oid, on = string.match(old, '^(%S*) (%d+)$')
            if oid == id and tonumber(on) >= tonumber(n) then keep = true end
          end
          if not keep then redis.call('HSET', KEYS[2], 'drawEntrants', ARGV[6]) end
        end
        for i = 1, 4 do
          if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
        end
        redis.call('PUBLISH', ARGV[1], seqtext .. ' ' .. ARGV[2])
        return seqtext
        """;

    /// <summary>KEYS: seq, viewers. ARGV: channel, node, count, now ms, entry ttl ms, key ttl ms, the event's JSON without its
    /// closing brace. Sets this node's count (with its expiry), drops expired nodes, and publishes a `viewers` event with the
    /// sum and the counts per node when they differ from the last published ones. Returns the seq, or 0 when nothing changed.</summary>
    public const string Viewers = NextSeq + """

        local now = tonumber(ARGV[4])
        if tonumber(ARGV[3]) > 0 then
          redis.call('HSET', KEYS[2], ARGV[2], ARGV[3] .. '|' .. string.format('%.0f', now + tonumber(ARGV[5])))
        else
          redis.call('HDEL', KEYS[2], ARGV[2])
        end
        local all = redis.call('HGETALL', KEYS[2])
        local nodes = {}
        local counts = {}
        local total = 0
        for i = 1, #all, 2 do
          local field, value = all[i], all[i + 1]
          if field ~= '_last' then
            local bar = string.find(value, '|', 1, true)
            local count = tonumber(string.sub(value, 1, bar - 1))
            if tonumber(string.sub(value, bar + 1)) <= now then
              redis.call('HDEL', KEYS[2], field)
            else
              table.insert(nodes, field)
              counts[field] = count
              total = total + count
            end
          end
        end
        table.sort(nodes)
        local parts = {}
        for _, node in ipairs(nodes) do table.insert(parts, cjson.encode(node) .. ':' .. counts[node]) end
        local bynode = '{' .. table.concat(parts, ',') .. '}'
        redis.call('PEXPIRE', KEYS[2], ARGV[6])
        if redis.call('HGET', KEYS[2], '_last') == bynode then return '0' end
        redis.call('HSET', KEYS[2], '_last', bynode)
        local seqtext = string.format('%.0f', nextseq(KEYS[1]))
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        redis.call('PUBLISH', ARGV[1], seqtext .. ' ' .. ARGV[7] .. ',"viewers":' .. total .. ',"viewersByNode":' .. bynode .. '}')
        return seqtext
        """;

    /// <summary>KEYS: seq, state, recent, mutes, viewers. One consistent read of a room: its seq and what it includes.</summary>
    public const string Load = """
        local seq = redis.call('GET', KEYS[1])
        if not seq then seq = '0' end
        return { seq, redis.call('HGETALL', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, -1), redis.call('HGETALL', KEYS[4]), redis.call('HGETALL', KEYS[5]) }
        """;
}
