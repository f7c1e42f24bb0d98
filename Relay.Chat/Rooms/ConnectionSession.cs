using Relay.Chat.Identity;

namespace Relay.Chat.Rooms;

/// <summary>One SignalR connection's state, kept in the hub connection's Items.</summary>
internal sealed class ConnectionSession
{
    internal ConnectionSession(string connectionId, string? accessToken, string connectionGuestId, string? clientAddressHash, TokenBucket calls, TokenBucket messages)
    {
        ConnectionId = connectionId;
        AccessToken = accessToken;
        ConnectionGuestId = connectionGuestId;
        ClientAddressHash = clientAddressHash;
        Calls = calls;
        Messages = messages;
    }

    public string ConnectionId { get; }

    /// <summary>Kept only to resolve the role at Join; never logged, never sent.</summary>
    internal string? AccessToken { get; }

    /// <summary>The id a guest without a guest token has: drawn once at connect, so calling Join again cannot make
    /// it someone new (to escape a mute, or its own purchases' idempotency keys).</summary>
    internal string ConnectionGuestId { get; }

    /// <summary><see cref="Relay.Common.Net.ClientAddressKey.Hash"/> of the connection's remote address (null when unknown).</summary>
    internal string? ClientAddressHash { get; }

    internal TokenBucket Calls { get; }

    /// <summary>Like calls (<c>Chat:MaxLikeCallsPerSecond</c>), set by the hub filter at connect.</summary>
    internal TokenBucket? LikeCalls { get; set; }

    internal TokenBucket Messages { get; }

    public string? ChannelId { get; internal set; }

    public Participant? Participant { get; internal set; }

    /// <summary>The id the room shows for <see cref="Participant"/> (<see cref="Identity.DisplayIds"/>), fixed at Join.</summary>
    public string? DisplayId { get; internal set; }

    public string? Referrer { get; internal set; }

    internal DateTimeOffset LastMessageAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>
    /// Idempotency keys this connection reserved, per channel: a guest without a guest token has a buyer id that exists
    /// only on this connection, so for it this is every key that can exist in the ledger and a purchase needs no
    /// database lookup to know it is new.
    /// Bounded; past the bound the ledger is asked again (<see cref="ReservedKeysComplete"/> false).
    /// </summary>
    private Dictionary<(string BuyerId, string ChannelId, string Key), string>? _reservedKeys;

    internal const int MaxRememberedKeys = 1024;

    internal bool ReservedKeysComplete { get; private set; } = true;

    internal string? FindReservedKey(string buyerId, string channelId, string key) =>
        _reservedKeys is { } keys && keys.TryGetValue((buyerId, channelId, key), out var orderId) ? orderId : null;

    internal void RememberReservedKey(string buyerId, string channelId, string key, string orderId)
    {
        _reservedKeys ??= [];
        if (_reservedKeys.Count >= MaxRememberedKeys && !_reservedKeys.ContainsKey((buyerId, channelId, key)))
        {
            ReservedKeysComplete = false;
            return;
        }
        _reservedKeys[(buyerId, channelId, key)] = orderId;
    }

    internal const string ItemKey = "relay.live-session";
}
