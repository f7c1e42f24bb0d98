namespace Relay.Chat.Contracts;

/// <summary>The <see cref="CueEvent.Kind"/> names, as the hub and the <c>onCuePoint</c> tags spell them.</summary>
public static class CueKinds
{
    public const string Pin = "pin";
    public const string Sale = "sale";
    public const string Coupon = "coupon";
    public const string Draw = "draw";
}
