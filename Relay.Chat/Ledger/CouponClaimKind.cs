namespace Relay.Chat.Ledger;

public enum CouponClaimKind { Claimed, Gone, Expired, LimitExceeded, Invalid }
