using System.Globalization;
using System.Text;

namespace Relay.Server.Shows;

/// <summary>
/// The report as a CSV a brand opens in Excel: UTF-8 with a byte-order mark (Excel reads Chinese titles right only
/// then), CRLF lines, one row per product with a total, then the show's figures as name/value rows. Amounts are in the
/// currency's major unit with two decimals. A cell that starts like a formula gets a leading apostrophe, so a product
/// title never runs as one.
/// </summary>
public static class ShowReportCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static byte[] Write(ShowReport r)
    {
        var sb = new StringBuilder();
        Row(sb, "sku", "title", "orders", "units", "gmv", "currency");
        foreach (var line in r.BySku)
        {
            Row(sb, line.Sku, line.Title ?? "", Int(line.Orders), Int(line.Units), Money(line.GmvCents), line.Currency);
        }
        Row(sb, "total", "", Int(r.Orders), Int(r.Units), Money(r.GmvCents), r.Currency ?? "");
        sb.Append("\r\n");
        Row(sb, "field", "value");
        Row(sb, "showId", r.ShowId);
        Row(sb, "channelId", r.ChannelId);
        Row(sb, "startedAt", Time(r.StartedAt));
        Row(sb, "endedAt", r.EndedAt is { } e ? Time(e) : "");
        Row(sb, "durationSeconds", r.DurationSeconds.ToString(CultureInfo.InvariantCulture));
        Row(sb, "peakViewers", Int(r.PeakViewers));
        Row(sb, "averageViewers", r.AverageViewers.ToString(CultureInfo.InvariantCulture));
        Row(sb, "uniqueViewers", Int(r.UniqueViewers));
        Row(sb, "messages", Int(r.Messages));
        Row(sb, "likes", Int(r.Likes));
        Row(sb, "follows", Int(r.Follows));
        Row(sb, "orders", Int(r.Orders));
        Row(sb, "units", Int(r.Units));
        Row(sb, "gmv", Money(r.GmvCents));
        Row(sb, "currency", r.Currency ?? "");
        Row(sb, "buyers", Int(r.Buyers));
        Row(sb, "conversion", r.Conversion.ToString(CultureInfo.InvariantCulture));
        foreach (var d in r.Destinations)
        {
            Row(sb, $"destination:{d.Id}:liveSeconds", d.LiveSeconds.ToString(CultureInfo.InvariantCulture));
            Row(sb, $"destination:{d.Id}:reconnects", Int(d.Reconnects));
        }
        foreach (var referrer in r.ByReferrer)
        {
            Row(sb, $"referrer:{referrer.Referrer ?? "(none)"}:orders", Int(referrer.Orders));
            Row(sb, $"referrer:{referrer.Referrer ?? "(none)"}:gmv", Money(referrer.GmvCents));
            Row(sb, $"referrer:{referrer.Referrer ?? "(none)"}:visits", Int(referrer.Visits));
        }
        var body = Encoding.UTF8.GetBytes(sb.ToString());
        return [.. Encoding.UTF8.Preamble, .. body];
    }

    public static string FileName(ShowReport r) => $"show-{r.ChannelId}-{r.StartedAt.UtcDateTime:yyyyMMdd-HHmm}.csv";

    private static void Row(StringBuilder sb, params string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Cell(cells[i]));
        }
        sb.Append("\r\n");
    }

    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsNumber(value)) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static bool IsNumber(string value) => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Money(long cents) => (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
