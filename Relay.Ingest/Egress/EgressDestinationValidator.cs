using Relay.Ingest.Egress.Platforms;
using Relay.Ingest.Egress.Rtmp;

namespace Relay.Ingest.Egress;

/// <summary>
/// Checks a destination before it is stored or applied, so the API can answer 400 naming the field
/// (CONTRACT.md: "400 for invalid input (saying which field)"). Returns every problem, keyed by field name.
/// </summary>
public static class EgressDestinationValidator
{
    public static readonly IReadOnlySet<string> Aspects = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "9:16", "9:16-crop", "9:16-pad" };

    public static IReadOnlyDictionary<string, string> Validate(EgressDestination destination)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(destination.Id) || destination.Id.Length > 64)
        {
            errors["id"] = "must be 1-64 characters";
        }

        if (!PlatformPreset.All.ContainsKey(destination.Platform ?? ""))
        {
            errors["platform"] = $"must be one of {string.Join(", ", PlatformPreset.All.Keys)}";
        }

        if (!RtmpPushTarget.TryParse(destination.Url ?? "", destination.StreamKey, out _, out var urlError))
        {
            errors["url"] = urlError!;
        }

        if (destination.Engine is not (EgressEngines.Auto or EgressEngines.Ffmpeg))
        {
            errors["engine"] = "must be auto or ffmpeg";
        }

        if (destination.Profile is { } p)
        {
            void Range(string field, double? value, double min, double max)
            {
                if (value is double v && (v < min || v > max)) errors[$"profile.{field}"] = $"must be between {min} and {max}";
            }

            Range("videoBitrateKbps", p.VideoBitrateKbps, 100, 50_000);
            Range("maxWidth", p.MaxWidth, 16, 7680);
            Range("maxHeight", p.MaxHeight, 16, 7680);
            Range("fps", p.Fps, 1, 120);
            Range("keyframeIntervalSeconds", p.KeyframeIntervalSeconds, 0.5, 10);
            Range("audioBitrateKbps", p.AudioBitrateKbps, 16, 512);
            if (p.Aspect is not null && !Aspects.Contains(p.Aspect))
            {
                errors["profile.aspect"] = $"must be one of {string.Join(", ", Aspects)}";
            }
        }

        return errors;
    }
}
