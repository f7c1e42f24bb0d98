namespace Relay.Server.Configuration;

public sealed class AuthOptions
{
    public const string Section = "Relay:Auth";

    /// <summary>Shortest admin token accepted (configured or in the file); a generated one has 192 random bits.</summary>
    public const int MinAdminTokenLength = 24;

    public string? AdminToken { get; set; }
    public string? ViewerJwtKey { get; set; }
}
