namespace Relay.Chat.Configuration;

/// <summary>Binds viewer JWTs to this relay: without them, any token the shop signs with the same key (for another
/// service) would be accepted. Each is checked only when set.</summary>
public sealed class ViewerJwtOptions
{
    /// <summary>Required `iss`.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required `aud` (one of the token's audiences).</summary>
    public string? Audience { get; set; }
}
