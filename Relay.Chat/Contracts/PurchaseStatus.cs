namespace Relay.Chat.Contracts;

public static class PurchaseStatus
{
    public const string Reserved = "reserved";
    public const string SoldOut = "sold_out";
    public const string NotOnSale = "not_on_sale";
    public const string LimitExceeded = "limit_exceeded";
    public const string LoginRequired = "login_required";
    public const string Invalid = "invalid";
}
