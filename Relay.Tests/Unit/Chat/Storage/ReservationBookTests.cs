using Relay.Chat.Ledger;
using Relay.Chat.Storage;

namespace Relay.Tests.Unit.Chat.Storage;

/// <summary>
/// The reservation rules (<see cref="ReservationBook"/>), the one copy both engines apply to a group-committed batch:
/// arrival order, each purchase seeing the ones before it; keys, caps, sale and line-up pools; what is written back.
/// The engines' own tests (Integration/Chat/GroupCommitTests, StockLedgerPropertyTests on SQLite,
/// Integration/Cluster/PostgresCommerceStoreTests on PostgreSQL) run the same rules against real rows.
/// </summary>
public sealed class ReservationBookTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    private static ReservationBook Book()
    {
        var orders = 0;
        long sequence = 0;
        return new ReservationBook(() => $"ord_{++orders}", () => ++sequence);
    }

    private static ReservationRequest Buy(string buyer, string key, int quantity = 1, string? sale = null, int capSku = 10, int capSale = 2, string sku = "S") =>
        new("c1", buyer, buyer, key, sku, quantity, 500, "EUR", null, sale, true, Now, capSku, capSale);

    [Fact]
    public void Purchases_apply_in_arrival_order_each_seeing_the_ones_before_it_and_the_write_back_is_the_sum()
    {
        var book = Book();
        book.AddLedger("c1", "S", new ReservationBook.LedgerRow(Stock: 5, Held: 1, Epoch: 0));
        var outcomes = Enumerable.Range(0, 6).Select(i => book.Apply(Buy($"u{i}", "k"))).ToList();

        Assert.Equal(new[] { ReservationKind.Reserved, ReservationKind.Reserved, ReservationKind.Reserved, ReservationKind.Reserved, ReservationKind.SoldOut, ReservationKind.SoldOut },
            outcomes.Select(o => o.Kind));
        Assert.Equal(new[] { 3, 2, 1, 0 }, outcomes.Take(4).Select(o => o.LineupRemaining!.Value));
        Assert.Equal(0, outcomes[4].LineupRemaining);
        Assert.Equal(4, book.Ledger[("c1", "S")].Taken);
        Assert.Equal(new[] { "ord_1", "ord_2", "ord_3", "ord_4" }, book.Orders.Select(o => o.OrderId));
        // Every answer carries a sequence taken in order, so the room applies the newest count last.
        Assert.Equal(outcomes.Select(o => o.Sequence).Order(), outcomes.Select(o => o.Sequence));
    }

    [Fact]
    public void A_known_key_answers_its_order_whatever_else_changed_and_a_key_reserved_earlier_in_the_batch_counts_too()
    {
        var book = Book();
        book.AddLedger("c1", "S", new ReservationBook.LedgerRow(Stock: 1, Held: 1, Epoch: 0));
        book.AddKey("c1", "u1", "k", "ord_before");
        var before = book.Apply(Buy("u1", "k"));
        Assert.Equal((ReservationKind.Duplicate, "ord_before"), (before.Kind, before.OrderId));

        var other = Book();
        other.AddLedger("c1", "S", new ReservationBook.LedgerRow(Stock: null, Held: 0, Epoch: 0));
        var first = other.Apply(Buy("u2", "k"));
        var again = other.Apply(Buy("u2", "k"));
        Assert.Equal((ReservationKind.Reserved, ReservationKind.Duplicate), (first.Kind, again.Kind));
        Assert.Equal(first.OrderId, again.OrderId);
        Assert.Single(other.Orders);
        Assert.Null(first.LineupRemaining);
    }

    [Fact]
    public void A_sku_without_a_ledger_row_is_sold_out()
    {
        var outcome = Book().Apply(Buy("u1", "k"));
        Assert.Equal((ReservationKind.SoldOut, (int?)null, (int?)null), (outcome.Kind, outcome.FlashRemaining, outcome.LineupRemaining));
    }

    [Fact]
    public void Caps_count_the_buyers_units_of_the_current_epoch_and_of_the_sale_including_this_batch()
    {
        var book = Book();
        book.AddLedger("c1", "S", new ReservationBook.LedgerRow(Stock: null, Held: 0, Epoch: 3));
        book.AddSale("fs1", new ReservationBook.SaleRow(Ended: false, EndsAt: Now.ToUnixTimeMilliseconds() + 60_000, Remaining: 50));
        // Units of an older epoch (before a stock reset) no longer count; units of another sale do not count for this one.
        book.AddUnits("c1", "u1", "S", new ReservationBook.BuyerUnits(Epoch: 2, SaleId: null, Units: 9));
        book.AddUnits("c1", "u1", "S", new ReservationBook.BuyerUnits(Epoch: 3, SaleId: "fs0", Units: 7));

        Assert.Equal(ReservationKind.Reserved, book.Apply(Buy("u1", "a", 2, sale: "fs1", capSku: 10, capSale: 2)).Kind);
        var perSale = book.Apply(Buy("u1", "b", 1, sale: "fs1", capSku: 10, capSale: 2));
        Assert.Equal((ReservationKind.LimitExceeded, BuyerLimit.PerSale), (perSale.Kind, perSale.Limit));
        var perSku = book.Apply(Buy("u1", "c", 2, capSku: 10));
        Assert.Equal((ReservationKind.LimitExceeded, BuyerLimit.PerSku), (perSku.Kind, perSku.Limit));
        Assert.Equal(ReservationKind.Reserved, book.Apply(Buy("u1", "d", 1, capSku: 10)).Kind);
        Assert.Equal(ReservationKind.Reserved, book.Apply(Buy("u2", "a", 2, sale: "fs1")).Kind);
    }

    [Fact]
    public void A_sale_that_is_over_or_short_refuses_and_a_line_up_short_of_units_gives_the_sale_its_units_back()
    {
        var now = Now.ToUnixTimeMilliseconds();
        var book = Book();
        book.AddLedger("c1", "S", new ReservationBook.LedgerRow(Stock: 3, Held: 0, Epoch: 0));
        book.AddSale("ended", new ReservationBook.SaleRow(true, now + 60_000, 10));
        book.AddSale("past", new ReservationBook.SaleRow(false, now, 10));
        book.AddSale("fs", new ReservationBook.SaleRow(false, now + 60_000, 4));

        Assert.Equal(ReservationKind.SaleOver, book.Apply(Buy("u1", "a", sale: "ended")).Kind);
        Assert.Equal(ReservationKind.SaleOver, book.Apply(Buy("u1", "b", sale: "past")).Kind);
        Assert.Equal(ReservationKind.SaleOver, book.Apply(Buy("u1", "c", sale: "unknown")).Kind);

        var two = book.Apply(Buy("u1", "d", 2, sale: "fs"));
        Assert.Equal((ReservationKind.Reserved, 2, 1), (two.Kind, two.FlashRemaining!.Value, two.LineupRemaining!.Value));
        var shortSale = book.Apply(Buy("u2", "e", 3, sale: "fs", capSale: 5));
        Assert.Equal((ReservationKind.SoldOut, 2), (shortSale.Kind, shortSale.FlashRemaining!.Value));
        // The sale has 2 left but the line-up only 1: the sale's units go back, both counts are reported.
        var shortLineup = book.Apply(Buy("u2", "f", 2, sale: "fs", capSale: 5));
        Assert.Equal((ReservationKind.SoldOut, 2, 1), (shortLineup.Kind, shortLineup.FlashRemaining!.Value, shortLineup.LineupRemaining!.Value));

        Assert.Equal(2, book.Sales["fs"].Taken);
        Assert.Equal(2, book.Ledger[("c1", "S")].Taken);
        Assert.Equal(0, book.Sales["ended"].Taken);
    }

    [Fact]
    public void A_statement_answers_rows_when_it_is_a_query_or_returns_some()
    {
        Assert.True(new SqlCall(ReservationBatch.FindKey).ReturnsRows);
        Assert.True(new SqlCall("  select 1").ReturnsRows);
        Assert.True(new SqlCall("UPDATE t SET a = 1 RETURNING a;").ReturnsRows);
        Assert.False(new SqlCall(ReservationBatch.InsertOrder).ReturnsRows);
        Assert.False(new SqlCall(ReservationBatch.TakeLineup).ReturnsRows);
    }
}
