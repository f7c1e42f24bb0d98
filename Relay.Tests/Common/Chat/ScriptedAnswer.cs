namespace Relay.Tests.Common.Chat;

/// <summary>
/// What the order API does with a POST. <see cref="Take"/> creates the order (after <see cref="Delay"/>, which the
/// brand's side finishes even when the relay has hung up); otherwise it only answers <see cref="Status"/>.
/// <see cref="Stall"/> holds the answer after that decision, so an order can be taken while its answer never reaches
/// the relay (a retry of the key meanwhile gets the first answer again, not 409).
/// </summary>
public sealed record ScriptedAnswer(int Status, bool Take = false, TimeSpan Delay = default, string? RetryAfter = null,
    string? Location = null, string? CheckoutUrl = null, TimeSpan Stall = default)
{
    public static ScriptedAnswer Created(string? checkoutUrl = null) => new(201, Take: true, CheckoutUrl: checkoutUrl);
}
