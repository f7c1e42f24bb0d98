namespace Relay.Tests.Common.Chat;

/// <summary>
/// What the order API does with a POST. <see cref="Take"/> creates the order (after <see cref="Delay"/>, which the
/// brand's side finishes even when the relay has hung up); otherwise it only answers <see cref="Status"/>.
/// </summary>
public sealed record ScriptedAnswer(int Status, bool Take = false, TimeSpan Delay = default, string? RetryAfter = null,
    string? Location = null, string? CheckoutUrl = null)
{
    public static ScriptedAnswer Created(string? checkoutUrl = null) => new(201, Take: true, CheckoutUrl: checkoutUrl);
}
