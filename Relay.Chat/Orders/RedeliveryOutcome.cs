namespace Relay.Chat.Orders;

public enum RedeliveryOutcome { Redelivered, UnknownOrder, NotDeadLettered }
