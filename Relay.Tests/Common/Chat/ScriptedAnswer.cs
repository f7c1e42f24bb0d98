using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Chat.Orders;

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
