using System.Text;
using Relay.Server.Shows;

namespace Relay.Tests.Unit.Server.Shows;

public sealed class ShowReportCsvTests
{
    private static ShowReport Report(params ShowSkuLine[] skus) => new(
        "sh_1", "demo", new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 13, 30, 0, TimeSpan.Zero), false, 5400,
        120, 80.5, 300, 900, 0, 0, 12, 20, skus.Sum(s => s.GmvCents), "CNY", 10, 0.0333,
        [.. skus], [new ShowReferrerLine("creator,7", 2, 3, 4500, 2), new ShowReferrerLine(null, 10, 17, 100, 8)],
        [new ShowDestinationLine("dy", "抖音", "douyin", 5390.5, 2)], [], []);

    [Fact]
    public void The_csv_starts_with_a_bom_has_a_row_per_product_and_a_total_then_the_figures()
    {
        var bytes = ShowReportCsv.Write(Report(new ShowSkuLine("TEE", "纯棉T恤", 10, 15, 148500, "CNY"), new ShowSkuLine("MUG", null, 2, 5, 12500, "CNY")));
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n");
        Assert.Equal("sku,title,orders,units,gmv,currency", lines[0]);
        Assert.Equal("TEE,纯棉T恤,10,15,1485.00,CNY", lines[1]);
        Assert.Equal("MUG,,2,5,125.00,CNY", lines[2]);
        Assert.Equal("total,,12,20,1610.00,CNY", lines[3]);
        Assert.Equal("", lines[4]);
        Assert.Equal("field,value", lines[5]);
        Assert.Contains("startedAt,2026-12-07 12:00:00Z", lines);
        Assert.Contains("conversion,0.0333", lines);
        Assert.Contains("destination:dy:liveSeconds,5390.5", lines);
        // A comma in a referrer is quoted; no referrer is named as such.
        Assert.Contains("\"referrer:creator,7:gmv\",45.00", lines);
        Assert.Contains("referrer:(none):orders,10", lines);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1 gift", "'+1 gift")]
    [InlineData("@sum", "'@sum")]
    [InlineData("-5", "-5")]
    public void A_title_that_starts_like_a_formula_is_written_as_text(string title, string cell)
    {
        var lines = Encoding.UTF8.GetString(ShowReportCsv.Write(Report(new ShowSkuLine("X", title, 1, 1, 100, "CNY")))).Split("\r\n");
        Assert.Equal($"X,{cell},1,1,1.00,CNY", lines[1]);
    }
}
