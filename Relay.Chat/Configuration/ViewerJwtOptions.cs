namespace Relay.Chat.Configuration;

/// <summary>Binds viewer JWTs to this relay: without them, any token the shop signs with the same key (for another
/// service) would be accepted. Each is checked only when set.</summary>
public sealed class ViewerJwtOptions
{
    /// <summary>Required `iss`. With <see cref="Authority"/> unset here, the issuer its discovery document names.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required `aud` (one of the token's audiences). Required with <see cref="Authority"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>The shop's OpenID provider (`{Authority}/.well-known/openid-configuration`): viewer JWTs signed RS256 or
    /// ES256 by a key of its JWKS are accepted beside the HS256 `ViewerJwtKey`. https, or http on a loopback address.</summary>
    public string? Authority { get; set; }

    /// <summary>Least time between two refreshes of the provider's keys when a token names an unknown key id.</summary>
    public int KeyRefreshSeconds { get; set; } = 30;
}
