using System.Security.Cryptography;
using System.Text;

namespace Relay.Chat.Identity;

/// <summary>
/// The id a room shows for a participant instead of its real one. A viewer's real id is the shop's customer id
/// (`user_` + the JWT `sub`, sometimes an e-mail address), which must not reach every other viewer; the room shows
/// `p_` + 16 hex of HMAC-SHA256(secret, channelId + userId) instead: stable for that person in that room, unlinkable
/// across rooms, and the same value a moderator passes to `Mute`. Hosts and admins keep their role ids, which name no
/// person. The secret lives for the process, as do the mutes and recent messages that refer to these ids; the nodes of a
/// cluster share theirs (<see cref="IDisplayIdSecret"/>).
/// </summary>
internal sealed class DisplayIds
{
    public const string Prefix = "p_";

    private readonly Lazy<byte[]> _secret;

    public DisplayIds() : this(RandomNumberGenerator.GetBytes(32)) { }

    public DisplayIds(byte[] secret) => _secret = new Lazy<byte[]>(secret);

    /// <summary>A secret the nodes of a cluster share (<see cref="IDisplayIdSecret"/>), asked for at the first id: a
    /// participant has one display id in a room whatever node it joins, so a mute made on one node holds on the others.</summary>
    public DisplayIds(IDisplayIdSecret shared) => _secret = new Lazy<byte[]>(() => shared.Secret);

    public string For(string channelId, Participant participant) =>
        participant.IsModerator ? participant.UserId : Pseudonym(channelId, participant.UserId);

    /// <summary>What `Mute` keys on: a display id as given, or a real id (older clients) turned into its display id.</summary>
    public string MuteKey(string channelId, string userId) =>
        userId.StartsWith(Prefix, StringComparison.Ordinal) ? userId : Pseudonym(channelId, userId);

    private string Pseudonym(string channelId, string userId)
    {
        // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
        var input = Encoding.UTF8.GetBytes($"{channelId.Length}:{channelId}{userId}");
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret.Value, input, mac);
        return Prefix + Convert.ToHexStringLower(mac[..8]);
    }
}
