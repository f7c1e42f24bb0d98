namespace Relay.Chat.Contracts;

public static class CouponStatus
{
    public const string Claimed = "claimed";
    public const string Gone = "gone";
    public const string Expired = "expired";
    public const string LimitExceeded = "limit_exceeded";
    public const string LoginRequired = "login_required";
    public const string Invalid = "invalid";
}
