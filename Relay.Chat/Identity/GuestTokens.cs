using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;

namespace Relay.Chat.Identity;

/// <summary>
/// Server-signed guest identities (`POST /api/v1/guests`), presented back as the hub's access token so a guest stays
/// the same buyer, the same muted user, across Joins and reconnects. The token is `guest.` + the id and expiry
/// protected (encrypted and MACed) by ASP.NET Core Data Protection, whose key ring is the relay's own
/// (`{DataDir}/keys`, rotated by the framework; old keys keep unprotecting until they are revoked).
/// </summary>
internal sealed class GuestTokens
{
    public const string Prefix = "guest.";

    // A real token is about 150 characters; anything much longer is not worth decoding.
    private const int MaxTokenLength = 512;

    private readonly IDataProtector _protector;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public GuestTokens(IDataProtectionProvider protection, IOptions<GuestOptions> options, TimeProvider time)
    {
        _protector = protection.CreateProtector("Relay.Chat.GuestToken.v1");
        _lifetime = TimeSpan.FromDays(options.Value.TokenLifetimeDays);
        _time = time;
    }

    /// <summary>A new random guest id: also what a guest connecting without any token gets for its connection.</summary>
    public static string NewGuestId() => "guest_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static bool LooksLikeGuestToken(string accessToken) => accessToken.StartsWith(Prefix, StringComparison.Ordinal);

    public MintedGuest Mint()
    {
        var id = NewGuestId();
        // Whole seconds, as carried in the token.
        var expires = DateTimeOffset.FromUnixTimeSeconds((_time.GetUtcNow() + _lifetime).ToUnixTimeSeconds());
        var token = Prefix + _protector.Protect($"{id}|{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
        return new MintedGuest(id, token, expires);
    }

    /// <summary>The guest id the token proves, or null with why not (for the log; never the token itself).</summary>
    public string? Validate(string token, out string problem)
    {
        problem = "";
        if (!LooksLikeGuestToken(token) || token.Length > MaxTokenLength)
        {
            problem = "malformed";
            return null;
        }
        string payload;
        try
        {
            payload = _protector.Unprotect(token[Prefix.Length..]);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // Forged, corrupted, or signed with a key this ring no longer has.
            problem = "not signed by this relay";
            return null;
        }
        var parts = payload.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            problem = "malformed";
            return null;
        }
        if (DateTimeOffset.FromUnixTimeSeconds(expiresAt) <= _time.GetUtcNow())
        {
            problem = "expired";
            return null;
        }
        return parts[0];
    }
}
