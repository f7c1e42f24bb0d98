using System.Globalization;
using Relay.Ingest.Egress.Platforms;
using Relay.Ingest.Egress.Rtmp;

namespace Relay.Ingest.Egress;

/// <summary>
/// Checks a destination before it is stored or applied, so the API can answer 400 naming the field
/// (CONTRACT.md: "400 for invalid input (saying which field)"). Returns every problem as a field path relative to the
/// destination (<c>engine</c>, <c>profile.fps</c>) and a message; callers prefix the path with where the destination sits.
/// These are the only engine and profile rules: the REST API and the configuration validator ask here.
/// </summary>
public static class EgressDestinationValidator
{
    public static readonly IReadOnlySet<string> Aspects = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "9:16", "9:16-crop", "9:16-pad" };

    public static IReadOnlyList<(string Field, string Message)> Validate(EgressDestination destination)
    {
        var errors = new List<(string Field, string Message)>();
        if (string.IsNullOrWhiteSpace(destination.Id) || destination.Id.Length > 64)
        {
            errors.Add(("id", "must be 1-64 characters"));
        }

        if (!PlatformPreset.All.ContainsKey(destination.Platform ?? ""))
        {
            errors.Add(("platform", $"must be one of {string.Join(", ", PlatformPreset.All.Keys)}"));
        }

        if (!RtmpPushTarget.TryParse(destination.Url ?? "", destination.StreamKey, out _, out var urlError))
        {
            errors.Add(("url", urlError!));
        }

        errors.AddRange(ValidateSettings(destination.Engine, destination.Profile));
        if (TrackIdProblem(destination.TrackId) is { } trackProblem)
        {
            errors.Add(("trackId", trackProblem));
        }

        return errors;
    }

    /// <summary>Null when <paramref name="trackId"/> is absent or an E-RTMP track id (one byte on the wire).</summary>
    public static string? TrackIdProblem(int? trackId) =>
        trackId is { } track && track is < 0 or > 255 ? "must be between 0 and 255 (an E-RTMP track id)" : null;

    /// <summary>The engine and the transcode profile alone, for input whose address is not settled yet.</summary>
    public static IReadOnlyList<(string Field, string Message)> ValidateSettings(string engine, EgressProfile? profile)
    {
        var errors = new List<(string Field, string Message)>();
        if (engine is not (EgressEngines.Auto or EgressEngines.Ffmpeg))
        {
            errors.Add(("engine", $"must be '{EgressEngines.Auto}' or '{EgressEngines.Ffmpeg}'"));
        }

        if (profile is { } p)
        {
            Range(errors, "videoBitrateKbps", p.VideoBitrateKbps, 100, 50_000);
            Range(errors, "audioBitrateKbps", p.AudioBitrateKbps, 32, 512);
            Range(errors, "maxWidth", p.MaxWidth, 64, 7680);
            Range(errors, "maxHeight", p.MaxHeight, 64, 4320);
            Range(errors, "fps", p.Fps, 1, 120);
            if (p.KeyframeIntervalSeconds is { } k && (double.IsNaN(k) || k < 0.5 || k > 10))
            {
                errors.Add(("profile.keyframeIntervalSeconds", "must be between 0.5 and 10"));
            }
            if (p.Aspect is not null && !Aspects.Contains(p.Aspect))
            {
                errors.Add(("profile.aspect", $"must be one of {string.Join(", ", Aspects)}"));
            }
        }

        return errors;
    }

    private static void Range(List<(string Field, string Message)> errors, string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(($"profile.{field}", string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}")));
        }
    }
}
