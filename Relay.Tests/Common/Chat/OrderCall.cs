using Relay.Chat.Orders;

namespace Relay.Tests.Common.Chat;

/// <summary>One POST as the order API received it; <see cref="Attempt"/> counts the key's POSTs from 1.</summary>
public sealed record OrderCall(string Key, int Attempt, OrderApiRequest Order, string Authorization);
