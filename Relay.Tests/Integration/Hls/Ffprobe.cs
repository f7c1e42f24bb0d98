using System.Diagnostics;
using System.Text.Json;

namespace Relay.Tests.Integration.Hls;

/// <summary>Runs ffprobe on a URL or file and returns its JSON (streams and format).</summary>
internal static class Ffprobe
{
    public static async Task<JsonElement> ProbeAsync(string input, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("ffprobe")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-v", "error", "-show_entries", "stream=codec_name,codec_type:format=duration,format_name", "-of", "json", input])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, $"ffprobe {input} failed: {await error}");
        return JsonDocument.Parse(await output).RootElement;
    }

    public static IReadOnlyList<string> Codecs(JsonElement probe) =>
        [.. probe.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString() ?? "")];

    public static double Duration(JsonElement probe) =>
        double.Parse(probe.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}
