using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Relay.Tests.Common.Browser;

namespace Relay.Tests.EndToEnd.Operations;

/// <summary>
/// The dashboard's main panels drawn from what a real Prometheus answered for their own queries (Grafana cannot be
/// installed here): one small line chart per panel, series named by their labels, rendered by chromium into
/// docs/images/dashboard.png (with RELAY_UPDATE_SCREENSHOTS=1; else into a temporary file, so the path still runs).
/// </summary>
internal sealed class DashboardPicture
{
    /// <summary>The panels an operator looks at first during a show, in the dashboard's order.</summary>
    public static readonly string[] MainPanels =
    [
        "Ingest bitrate", "Ingest frame rate", "Destination up / down", "Destination bitrate", "Destination reconnects",
        "Fan-out subscribers and drops", "Viewers and chat rate", "Purchases by outcome", "Sales", "Order API latency", "CPU", "Memory",
    ];

    private readonly List<(string Title, List<(string Name, List<(double T, double V)> Points)> Series)> _panels = [];

    public bool Wants(string title) => MainPanels.Contains(title, StringComparer.Ordinal);

    /// <summary>Adds one query's range result (Prometheus' matrix) to a panel.</summary>
    public void Add(string title, JsonElement matrix, string? legendFormat)
    {
        var panel = _panels.FirstOrDefault(p => p.Title == title);
        if (panel.Title is null)
        {
            panel = (title, []);
            _panels.Add(panel);
        }
        foreach (var series in matrix.GetProperty("result").EnumerateArray())
        {
            var metric = series.GetProperty("metric");
            // Grafana's legendFormat ({{label}} filled from the series), else the labels themselves.
            var labels = legendFormat is { Length: > 0 }
                ? [System.Text.RegularExpressions.Regex.Replace(legendFormat, @"\{\{\s*(\w+)\s*\}\}",
                    m => metric.TryGetProperty(m.Groups[1].Value, out var v) ? v.GetString() ?? "" : "")]
                : metric.EnumerateObject()
                    .Where(l => l.Name is not ("job" or "instance"))
                    .Select(l => l.Name == "__name__" ? l.Value.GetString()!.Replace("relay_", "", StringComparison.Ordinal) : $"{l.Name}={l.Value.GetString()}");
            var points = series.GetProperty("values").EnumerateArray()
                .Select(v => (v[0].GetDouble(), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)))
                .Where(p => double.IsFinite(p.Item2)).ToList();
            if (points.Count > 0) panel.Series.Add((string.Join(" ", labels) is { Length: > 0 } n ? n : "value", points));
        }
    }

    public int PanelsWithData => _panels.Count(p => p.Series.Count > 0);

    public string Html()
    {
        var html = new StringBuilder("""
            <!doctype html><html><head><meta charset="utf-8"><style>
            body{margin:0;padding:16px;background:#111217;color:#ccccdc;font:13px system-ui,sans-serif}
            h1{font-size:16px;margin:0 0 12px;color:#fff} .grid{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}
            .panel{background:#181b1f;border:1px solid #2c3235;border-radius:4px;padding:8px 10px}
            .panel h2{font-size:13px;margin:0 0 6px;color:#fff;font-weight:500} svg{display:block;width:100%;height:150px}
            .legend{font-size:11px;margin-top:4px;display:flex;flex-wrap:wrap;gap:2px 10px} .legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
            </style></head><body><h1>Relay overview · channel demo · last minute (rendered from Prometheus query_range)</h1><div class="grid">
            """);
        string[] colors = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a"];
        foreach (var title in MainPanels)
        {
            var panel = _panels.FirstOrDefault(p => p.Title == title);
            if (panel.Title is null || panel.Series.Count == 0) continue;
            var all = panel.Series.SelectMany(s => s.Points).ToList();
            double t0 = all.Min(p => p.T), t1 = Math.Max(all.Max(p => p.T), t0 + 1);
            double v0 = Math.Min(0, all.Min(p => p.V)), v1 = all.Max(p => p.V);
            if (v1 <= v0) v1 = v0 + 1;
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"panel\"><h2>{WebUtility.HtmlEncode(title)}</h2><svg viewBox=\"0 0 400 150\" preserveAspectRatio=\"none\">");
            for (var g = 0; g <= 3; g++)
            {
                var y = 140 - g * 43.3;
                html.Append(CultureInfo.InvariantCulture, $"<line x1=\"40\" x2=\"400\" y1=\"{y:0.0}\" y2=\"{y:0.0}\" stroke=\"#2c3235\"/>");
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"36\" y=\"{y + 4:0.0}\" fill=\"#8e8e8e\" font-size=\"10\" text-anchor=\"end\">{Short(v0 + (v1 - v0) * g / 3)}</text>");
            }
            var i = 0;
            foreach (var (_, points) in panel.Series.Take(colors.Length))
            {
                var path = string.Join(" ", points.Select(p =>
                    string.Create(CultureInfo.InvariantCulture, $"{40 + (p.T - t0) / (t1 - t0) * 360:0.0},{140 - (p.V - v0) / (v1 - v0) * 130:0.0}")));
                html.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colors[i++]}\" stroke-width=\"1.6\" points=\"{path}\"/>");
            }
            html.Append("</svg><div class=\"legend\">");
            i = 0;
            foreach (var (name, _) in panel.Series.Take(colors.Length))
            {
                html.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{colors[i++]}\"></i>{WebUtility.HtmlEncode(name)}</span>");
            }
            html.Append("</div></div>");
        }
        return html.Append("</div></body></html>").ToString();
    }

    private static string Short(double v) => Math.Abs(v) switch
    {
        >= 1e9 => (v / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (v / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 1 or 0 => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0.###", CultureInfo.InvariantCulture),
    };

    /// <summary>Renders the page in chromium and saves the picture; returns its path.</summary>
    public async Task<string> SaveAsync(string fallbackDir)
    {
        var update = Environment.GetEnvironmentVariable("RELAY_UPDATE_SCREENSHOTS") == "1";
        var dir = update ? Path.Combine(PrometheusTools.RepoRoot, "docs", "images") : fallbackDir;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "dashboard.png");
        await using var chromium = await ChromiumSession.StartAsync();
        var page = await chromium.NewPageAsync(new Uri("http://127.0.0.1/"), 1440, 760);
        await page.SetContentAsync(Html());
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}
