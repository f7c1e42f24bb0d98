using Relay.Chat.Ledger;
using Relay.Chat.Storage;

namespace Relay.Tests.Unit.Chat.Storage;

/// <summary>
/// A coupon applied to a purchase (<see cref="ReservationBook"/>, issue 16): the claim must be this buyer's and unused,
/// the coupon this channel's, for the sku when it names one, the subtotal at least the minimum; the claim is used only by
/// an order that is reserved, once; the discount is the amount or floor(percent x subtotal / 100), never more than the
/// subtotal. Integration/Chat/CouponTests runs the same rules through the hub on SQLite, ClusterCouponTests on PostgreSQL.
/// </summary>
public sealed class CouponRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    private static ReservationBook Book()
    {
        var orders = 0;
        long sequence = 0;
        var book = new ReservationBook(() => $"ord_{++orders}", () => ++sequence);
        book.AddLedger("c1", "S", new ReservationBook.LedgerRow(Stock: 2, Held: 0, Epoch: 0));
        book.AddLedger("c1", "T", new ReservationBook.LedgerRow(Stock: null, Held: 0, Epoch: 0));
        return book;
    }

    private static CouponRecord Coupon(string id = "cp1", long? amount = null, int? percent = null, long min = 0, string? sku = null, string channel = "c1") =>
        new(id, channel, amount, percent, min, sku, "EUR", 10, 10, 1, Now.AddMinutes(1));

    private static ReservationRequest Buy(string buyer, string key, string? coupon, int quantity = 1, string sku = "S", long price = 999) =>
        new("c1", buyer, buyer, key, sku, quantity, price, "EUR", null, null, true, Now, CouponId: coupon);

    [Theory]
    [InlineData(300L, null, 1998L, 300L)]
    [InlineData(5000L, null, 1998L, 1998L)]
    [InlineData(null, 15, 1998L, 299L)]
    [InlineData(null, 90, 1L, 0L)]
    [InlineData(null, 33, 1000L, 330L)]
    public void The_discount_is_the_amount_or_the_floored_percentage_never_more_than_the_subtotal(long? amount, int? percent, long subtotal, long expected) =>
        Assert.Equal(expected, Coupon(amount: amount, percent: percent).DiscountOn(subtotal));

    [Fact]
    public void A_claim_is_used_once_by_a_reserved_order_and_a_sold_out_purchase_leaves_it_unused()
    {
        var book = Book();
        book.AddCoupon(Coupon(percent: 10));
        book.AddClaim("cp1", "ann", new ReservationBook.ClaimRow(Claimed: 1, Used: 0));

        var tooMany = book.Apply(Buy("ann", "k0", "cp1", quantity: 3));
        Assert.Equal(ReservationKind.SoldOut, tooMany.Kind);
        Assert.Equal(0, book.Claims[("cp1", "ann")].Taken);

        var first = book.Apply(Buy("ann", "k1", "cp1", quantity: 2));
        Assert.Equal((ReservationKind.Reserved, 199L), (first.Kind, first.DiscountCents));
        var second = book.Apply(Buy("ann", "k2", "cp1", sku: "T"));
        Assert.Equal(ReservationKind.CouponInvalid, second.Kind);
        Assert.StartsWith("couponId is not claimed by you, or your claim was used already", second.CouponProblem);
        Assert.Null(second.OrderId);
        // The same key answers its order and uses nothing more.
        var again = book.Apply(Buy("ann", "k1", "cp1", quantity: 2));
        Assert.Equal((ReservationKind.Duplicate, first.OrderId), (again.Kind, again.OrderId));
        Assert.Equal((1L, 1L), (book.Claims[("cp1", "ann")].Taken, book.Claims[("cp1", "ann")].Used));
        Assert.Equal(199L, book.Orders.Single().DiscountCents);
    }

    [Fact]
    public void A_coupon_of_another_channel_another_product_or_above_the_subtotal_is_refused_and_reserves_nothing()
    {
        var book = Book();
        book.AddCoupon(Coupon("other", amount: 100, channel: "c2"));
        book.AddCoupon(Coupon("tee", amount: 100, sku: "T"));
        book.AddCoupon(Coupon("big", amount: 100, min: 2000));
        foreach (var id in new[] { "other", "tee", "big" }) book.AddClaim(id, "ann", new ReservationBook.ClaimRow(1, 0));

        Assert.StartsWith("couponId is not a coupon of this channel", book.Apply(Buy("ann", "a", "other")).CouponProblem);
        Assert.StartsWith("couponId is not a coupon of this channel", book.Apply(Buy("ann", "b", "nope")).CouponProblem);
        Assert.StartsWith("couponId is only for T", book.Apply(Buy("ann", "c", "tee")).CouponProblem);
        Assert.StartsWith("couponId needs a subtotal of at least 2000 cents", book.Apply(Buy("ann", "d", "big", quantity: 2)).CouponProblem);
        var met = book.Apply(Buy("ann", "e", "big", quantity: 2, price: 1000));
        Assert.Equal((ReservationKind.Reserved, 100L), (met.Kind, met.DiscountCents));
        Assert.Single(book.Orders);
        Assert.Equal(2, book.Ledger[("c1", "S")].Taken);
    }
}
