namespace Relay.Chat.Configuration;

/// <summary>`Relay:Auth` (only the part the live room reads).</summary>
public sealed class ViewerAuthOptions
{
    public const string Section = "Relay:Auth";

    /// <summary>HMAC-SHA256 key (UTF-8, at least 32 bytes) of shop-issued viewer JWTs. Unset = only guests, hosts, admins.</summary>
    public string? ViewerJwtKey { get; set; }

    /// <summary>`Relay:Auth:ViewerJwt`: what else a viewer JWT must carry to be accepted here.</summary>
    public ViewerJwtOptions ViewerJwt { get; set; } = new();
}
