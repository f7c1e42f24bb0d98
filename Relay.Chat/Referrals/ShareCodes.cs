using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Referrals;

/// <summary>
/// Share codes: every identified buyer (a viewer JWT's `user_…`, a guest token's `guest_…`) has one, 10 characters of
/// base32 (a-z, 2-7) of HMAC-SHA256(secret, buyer id). The secret lives in the database (<see cref="IReferralStore"/>),
/// so a code is the same across reconnects, restarts and nodes, and reveals nothing about the buyer. A guest without a
/// guest token (an id that dies with its connection) gets none. The watch page's Share link is `/watch/{id}?ref={code}`;
/// a Join with that referrer counts as a visit of the sharer, once per visitor and show.
/// </summary>
internal sealed class ShareCodes(IReferralStore store, IReferralShows shows, TimeProvider time, ILogger<ShareCodes> logger)
{
    private const int Length = ShareCodeFormat.Length;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly ConcurrentDictionary<string, byte> _remembered = new(StringComparer.Ordinal);
    private byte[]? _secret;

    /// <summary>The buyer's code, remembered as theirs (once per process). Null for nobody-in-particular.</summary>
    public async Task<string?> ForAsync(string buyerId, CancellationToken cancellationToken)
    {
        try
        {
            var secret = _secret ??= await store.SecretAsync(cancellationToken);
            var code = Derive(secret, buyerId);
            if (!_remembered.ContainsKey(code))
            {
                await store.RememberAsync(code, buyerId, time.GetUtcNow(), cancellationToken);
                _remembered.TryAdd(code, 0);
            }
            return code;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database is away for a moment: the Join goes on, without a code this time.
            Log.ShareCodeUnavailable(logger, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Counts the visit when <paramref name="referrer"/> is someone else's share code. Never fails a Join: a
    /// database that cannot take the visit now costs the count, not the viewer's room.</summary>
    public async Task VisitAsync(string channelId, string? referrer, string visitorId, string? ownCode, CancellationToken cancellationToken)
    {
        if (!ShareCodeFormat.IsWellFormed(referrer) || referrer == ownCode) return;
        try
        {
            var show = await shows.CurrentShowKeyAsync(channelId, cancellationToken);
            await store.VisitAsync(channelId, referrer!, visitorId, show, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReferralVisitNotCounted(logger, channelId, ex.GetType().Name);
        }
    }

    internal static string Derive(byte[] secret, string buyerId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes("share-code:" + buyerId), mac);
        // 50 bits: 10 base32 characters of the first 7 bytes.
        ulong bits = 0;
        for (var i = 0; i < 7; i++) bits = (bits << 8) | mac[i];
        var chars = new char[Length];
        for (var i = 0; i < Length; i++) chars[i] = Alphabet[(int)((bits >> (56 - 5 * (i + 1))) & 31)];
        return new string(chars);
    }
}
