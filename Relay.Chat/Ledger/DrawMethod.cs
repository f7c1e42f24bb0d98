using System.Numerics;
using System.Security.Cryptography;

namespace Relay.Chat.Ledger;

/// <summary>
/// How a draw chooses its winners, so that anyone can recompute them (docs/live-room.md, scripts/verify-draw.py):
/// <list type="number">
/// <item>At the start a 32-byte random <c>seed</c> is drawn; <c>commitment</c> = lowercase hex SHA-256(seed) is announced.</item>
/// <item>At the end the entrant display ids are sorted by ordinal (byte) order of their UTF-8: <c>E[0..n-1]</c>.</item>
/// <item>For <c>i</c> = 0 .. min(winners, n) - 1: <c>h</c> = HMAC-SHA256(key = seed, message = <c>i</c> as 4 bytes
/// big-endian); <c>r</c> = <c>h</c> read as an unsigned big-endian integer, mod (n - i); swap <c>E[i]</c> and
/// <c>E[i + r]</c>; winner number <c>i</c> is <c>E[i]</c> (Fisher-Yates, without replacement).</item>
/// </list>
/// </summary>
public static class DrawMethod
{
    public static string Commitment(byte[] seed) => Convert.ToHexStringLower(SHA256.HashData(seed));

    /// <summary>The winners in the order drawn; <paramref name="sortedIds"/> must be sorted (<see cref="Sorted"/>).</summary>
    public static List<string> Choose(byte[] seed, IReadOnlyList<string> sortedIds, int winners)
    {
        var e = sortedIds.ToArray();
        var n = e.Length;
        var chosen = new List<string>();
        Span<byte> message = stackalloc byte[4];
        for (var i = 0; i < Math.Min(winners, n); i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message, (uint)i);
            var h = HMACSHA256.HashData(seed, message);
            var r = (int)(new BigInteger(h, isUnsigned: true, isBigEndian: true) % (n - i));
            (e[i], e[i + r]) = (e[i + r], e[i]);
            chosen.Add(e[i]);
        }
        return chosen;
    }

    public static string[] Sorted(IEnumerable<string> ids)
    {
        var sorted = ids.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
