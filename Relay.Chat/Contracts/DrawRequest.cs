using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>`StartDraw` (v2, host/admin): a prize draw of one line-up product.</summary>
[MessagePackObject]
public sealed class DrawRequest
{
    [Key("sku")] public string? Sku { get; set; }
    /// <summary>1-1000.</summary>
    [Key("winners")] public int Winners { get; set; }
    /// <summary>10-3600.</summary>
    [Key("durationSeconds")] public int DurationSeconds { get; set; }
    /// <summary><c>none</c> (default), <c>message</c> or <c>follow</c>.</summary>
    [Key("requires")] public string? Requires { get; set; }
}
