namespace Relay.Chat.Draws;

/// <summary>The <c>requires</c> values of a draw (CONTRACT.md v2).</summary>
public static class DrawRequirement
{
    public const string None = "none";
    public const string Message = "message";
    public const string Follow = "follow";
}
