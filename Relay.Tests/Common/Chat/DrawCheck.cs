using System.Diagnostics;
using System.Net.Http.Json;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Relay.Tests.Common.Chat;

/// <summary>
/// A draw checked from the outside: its public JSON (`GET /api/v1/channels/{id}/draws/{drawId}`), the winners recomputed
/// here from the seed and the sorted entrant ids (written from docs/live-room.md, not from the server's code), and
/// scripts/verify-draw.py run on the same JSON.
/// </summary>
public static class DrawCheck
{
    public sealed record Report(string DrawId, string Status, string Commitment, string? Seed, int WinnerCount, int Entrants,
        List<string>? EntrantIds, List<Winner>? Winners, string Sku);

    public sealed record Winner(string UserId, string DisplayName);

    public static async Task<(Report Report, string Json)> FetchAsync(HttpClient http, string channel, string drawId)
    {
        // Public: no Authorization header.
        var json = await http.GetStringAsync($"/api/v1/channels/{channel}/draws/{drawId}", TestContext.Current.CancellationToken);
        return (JsonSerializer.Deserialize<Report>(json, JsonSerializerOptions.Web)!, json);
    }

    public static List<string> Recompute(string seedHex, IEnumerable<string> entrantIds, int winners)
    {
        var seed = Convert.FromHexString(seedHex);
        var e = entrantIds.OrderBy(x => x, StringComparer.Ordinal).ToList();
        var chosen = new List<string>();
        for (var i = 0; i < Math.Min(winners, e.Count); i++)
        {
            var message = new byte[] { (byte)(i >> 24), (byte)(i >> 16), (byte)(i >> 8), (byte)i };
            using var hmac = new HMACSHA256(seed);
            var r = (int)(new BigInteger(hmac.ComputeHash(message), isUnsigned: true, isBigEndian: true) % (e.Count - i));
            (e[i], e[i + r]) = (e[i + r], e[i]);
            chosen.Add(e[i]);
        }
        return chosen;
    }

    public static string Commitment(string seedHex) => Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(seedHex)));

    /// <summary>Runs scripts/verify-draw.py on <paramref name="json"/>: its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunScriptAsync(string json)
    {
        var script = Path.Combine(RepoRoot(), "scripts", "verify-draw.py");
        var file = Path.Combine(Path.GetTempPath(), $"draw-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("python3", [script, file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
                + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "verify-draw.py"))) return dir.FullName;
        throw new InvalidOperationException("scripts/verify-draw.py not found above " + AppContext.BaseDirectory);
    }
}
