namespace Relay.Chat.Orders;

public static class OrderStatus
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Failed = "failed";
    public const string DeadLetter = "dead_letter";
}
