namespace Relay.Chat.Orders.BuiltIn;

/// <summary><paramref name="Created"/> false = the key was seen before and <paramref name="ResponseJson"/> is the first answer.</summary>
public sealed record StoredOrderAnswer(bool Created, string ResponseJson);
