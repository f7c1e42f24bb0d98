namespace Relay.Chat.Configuration;

/// <summary>`Relay:Commerce`.</summary>
public sealed class CommerceOptions
{
    public const string Section = "Relay:Commerce";

    public bool AllowGuestCheckout { get; set; } = true;

    public int MaxQuantityPerOrder { get; set; } = 10;
}
