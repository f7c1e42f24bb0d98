using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Relay.Tests.Common;

namespace Relay.Tests.EndToEnd.Operations;

/// <summary>
/// A real Prometheus on 127.0.0.1 (own TSDB in a temp dir) run from the committed prometheus.yml and
/// relay.rules.yml, pointed at a test Relay with a 1 s scrape and rule evaluation. Dispose kills it.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir;
    private readonly List<string> _log = [];
    private readonly HttpClient _http;

    private PrometheusServer(Process process, TempDir dir, Uri baseAddress)
    {
        _process = process;
        _dir = dir;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public string Log
    {
        get { lock (_log) return string.Join('\n', _log.TakeLast(40)); }
    }

    /// <summary>
    /// The committed prometheus.yml with three substitutions, each required to match so a drift in the real file
    /// fails here instead of silently testing something else: the scrape target, both intervals, the rules path.
    /// </summary>
    public static string DeriveConfig(string committed, string target, string rulesPath)
    {
        string Replace(string text, string from, string to)
        {
            Assert.True(text.Contains(from, StringComparison.Ordinal), $"config/prometheus/prometheus.yml no longer contains '{from}'");
            return text.Replace(from, to, StringComparison.Ordinal);
        }

        var config = Replace(committed, "\"relay:8080\"", $"\"{target}\"");
        config = Replace(config, "scrape_interval: 15s", "scrape_interval: 1s");
        config = Replace(config, "evaluation_interval: 15s", "evaluation_interval: 1s");
        return Replace(config, "- relay.rules.yml", $"- {rulesPath}");
    }

    public static async Task<PrometheusServer> StartAsync(string scrapeTarget, CancellationToken ct)
    {
        var dir = new TempDir("relay-prometheus");
        try
        {
            var config = DeriveConfig(await File.ReadAllTextAsync(PrometheusTools.ConfigPath("prometheus", "prometheus.yml"), ct),
                scrapeTarget, PrometheusTools.ConfigPath("prometheus", "relay.rules.yml"));
            var configPath = Path.Combine(dir.Path, "prometheus.yml");
            await File.WriteAllTextAsync(configPath, config, ct);

            var port = FreePort.Next();
            var info = new ProcessStartInfo(PrometheusTools.PrometheusPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dir.Path,
            };
            foreach (var arg in new[]
                     {
                         $"--config.file={configPath}", $"--storage.tsdb.path={Path.Combine(dir.Path, "tsdb")}",
                         $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                     })
            {
                info.ArgumentList.Add(arg);
            }

            var server = new PrometheusServer(Process.Start(info)!, dir, new Uri($"http://127.0.0.1:{port}/"));
            try
            {
                await server.WaitReadyAsync(ct);
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>GET /api/v1/query; throws with Prometheus' error text when the expression is not valid PromQL.</summary>
    public async Task<JsonElement> QueryAsync(string expr, CancellationToken ct) =>
        await GetDataAsync($"api/v1/query?query={Uri.EscapeDataString(expr)}", ct);

    public async Task<JsonElement> QueryRangeAsync(string expr, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken ct) =>
        await GetDataAsync($"api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={Unix(start)}&end={Unix(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}", ct);

    public async Task<JsonElement> GetDataAsync(string pathAndQuery, CancellationToken ct)
    {
        using var response = await _http.GetAsync(pathAndQuery, ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        if (body.GetProperty("status").GetString() != "success")
        {
            throw new PromQlException($"{pathAndQuery}: {body.GetProperty("errorType").GetString()}: {body.GetProperty("error").GetString()}");
        }
        return body.GetProperty("data").Clone();
    }

    /// <summary>The value of a single-series instant query, or null when it has no result.</summary>
    public async Task<double?> ScalarAsync(string expr, CancellationToken ct)
    {
        var result = (await QueryAsync(expr, ct)).GetProperty("result");
        if (result.GetArrayLength() == 0)
        {
            return null;
        }
        Assert.True(result.GetArrayLength() == 1, $"{expr} returned {result.GetArrayLength()} series: {result}");
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls an instant query until its value satisfies the predicate; the failure names the last value.</summary>
    public async Task<double> WaitForAsync(string expr, Func<double, bool> predicate, string what, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        double? last = null;
        while (true)
        {
            last = await ScalarAsync(expr, ct);
            if (last is { } value && predicate(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: '{expr}' was {last?.ToString(CultureInfo.InvariantCulture) ?? "absent"} after {timeout.TotalSeconds} s\nprometheus log:\n{Log}");
            }
            await Task.Delay(250, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
        }
        _process.Dispose();
        _http.Dispose();
        _dir.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"prometheus exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                using var response = await _http.GetAsync("-/ready", ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"prometheus was not ready within 20 s:\n{Log}");
            }
            await Task.Delay(100, ct);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.Add(line);
        }
    }

    private static string Unix(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}

internal sealed class PromQlException(string message) : Exception(message);
