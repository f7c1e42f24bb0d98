namespace Relay.Chat.Orders.BuiltIn;

/// <summary>One order the built-in order API received, with its place in the list.</summary>
public sealed record ReceivedOrderRow(string BodyJson, ListCursor Position);
