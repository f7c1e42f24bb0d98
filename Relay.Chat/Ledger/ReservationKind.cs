namespace Relay.Chat.Ledger;

public enum ReservationKind { Reserved, Duplicate, SoldOut, SaleOver, LimitExceeded, CouponInvalid }
