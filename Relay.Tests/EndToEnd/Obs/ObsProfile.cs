using System.Text.Json;

namespace Relay.Tests.EndToEnd.Obs;

/// <summary>What an OBS profile streams: the Settings → Stream and Settings → Output/Video values a brand advisor sets.</summary>
public sealed record ObsStreamSettings(string Server, string StreamKey)
{
    public int Width { get; init; } = 960;

    public int Height { get; init; } = 540;

    public int Fps { get; init; } = 30;

    public int VideoBitrateKbps { get; init; } = 2500;

    public int KeyframeIntervalSeconds { get; init; } = 2;

    public int AudioBitrateKbps { get; init; } = 160;
}

/// <summary>
/// Writes a complete OBS Studio 29 configuration tree (what <c>$XDG_CONFIG_HOME/obs-studio</c> holds after a user went
/// through the settings) so OBS starts without any dialog and streams at once with <c>--startstreaming</c>:
/// <list type="bullet">
/// <item><c>global.ini</c>: first run done (no auto-configuration wizard), current profile and scene collection;</item>
/// <item><c>basic/profiles/Relay/basic.ini</c>: canvas = output size, 30 fps, Advanced output mode with x264 and AAC;</item>
/// <item><c>basic/profiles/Relay/streamEncoder.json</c>: x264 CBR, bitrate, keyframe interval, veryfast, zerolatency;</item>
/// <item><c>basic/profiles/Relay/service.json</c>: Service "Custom..." (<c>rtmp_custom</c>) with Server and Stream Key;</item>
/// <item><c>basic/scenes/Relay.json</c>: one scene with a color source and a text source (no capture hardware, no
/// desktop audio or microphone; the AAC track carries silence).</item>
/// </list>
/// </summary>
public static class ObsProfile
{
    public const string Name = "Relay";

    /// <summary>OBS stores its version as (major &lt;&lt; 24) | (minor &lt;&lt; 16) | patch; 29.0.2 here.</summary>
    private const int LastVersion = (29 << 24) | (0 << 16) | 2;

    /// <summary>Writes the tree under <paramref name="configHome"/>/obs-studio (use it as XDG_CONFIG_HOME).</summary>
    public static void Write(string configHome, ObsStreamSettings settings)
    {
        var root = Path.Combine(configHome, "obs-studio");
        var profile = Path.Combine(root, "basic", "profiles", Name);
        var scenes = Path.Combine(root, "basic", "scenes");
        Directory.CreateDirectory(profile);
        Directory.CreateDirectory(scenes);

        File.WriteAllText(Path.Combine(root, "global.ini"), Ini($"""
            [General]
            FirstRun=true
            LastVersion={LastVersion}
            EnableAutoUpdates=false
            WarnBeforeStartingStream=false
            WarnBeforeStoppingStream=false
            ConfirmOnExit=false

            [Basic]
            Profile={Name}
            ProfileDir={Name}
            SceneCollection={Name}
            SceneCollectionFile={Name}
            ConfigOnNewProfile=false

            [BasicWindow]
            SysTrayEnabled=true
            SysTrayWhenStarted=true
            SysTrayMinimizeToTray=true

            [OBSWebSocket]
            FirstLoad=false
            ServerEnabled=false
            """));

        File.WriteAllText(Path.Combine(profile, "basic.ini"), Ini($"""
            [General]
            Name={Name}

            [Video]
            BaseCX={settings.Width}
            BaseCY={settings.Height}
            OutputCX={settings.Width}
            OutputCY={settings.Height}
            FPSType=0
            FPSCommon={settings.Fps}
            ScaleType=bilinear
            ColorFormat=NV12
            ColorSpace=709
            ColorRange=Partial

            [Audio]
            SampleRate=48000
            ChannelSetup=Stereo

            [Output]
            Mode=Advanced

            [AdvOut]
            Encoder=obs_x264
            ApplyServiceSettings=false
            Rescale=false
            TrackIndex=1
            AudioEncoder=ffmpeg_aac
            Track1Bitrate={settings.AudioBitrateKbps}
            """));

        WriteJson(Path.Combine(profile, "streamEncoder.json"), new Dictionary<string, object>
        {
            ["rate_control"] = "CBR",
            ["bitrate"] = settings.VideoBitrateKbps,
            ["keyint_sec"] = settings.KeyframeIntervalSeconds,
            ["preset"] = "veryfast",
            ["profile"] = "main",
            ["tune"] = "zerolatency",
        });

        WriteJson(Path.Combine(profile, "service.json"), new
        {
            type = "rtmp_custom",
            settings = new { server = settings.Server, key = settings.StreamKey, use_auth = false, bwtest = false },
        });

        WriteJson(Path.Combine(scenes, $"{Name}.json"), new Dictionary<string, object>
        {
            ["name"] = Name,
            ["current_scene"] = "Live",
            ["current_program_scene"] = "Live",
            ["scene_order"] = new[] { new { name = "Live" } },
            ["sources"] = new object[]
            {
                new
                {
                    id = "scene",
                    versioned_id = "scene",
                    name = "Live",
                    uuid = "6f0d1a52-2b43-4d1e-9c55-0a3c1f6b7e01",
                    settings = new
                    {
                        id_counter = 2,
                        items = new object[]
                        {
                            new { name = "Background", id = 1, visible = true, pos = new { x = 0, y = 0 }, scale = new { x = 1.0, y = 1.0 } },
                            new { name = "Caption", id = 2, visible = true, pos = new { x = 40, y = 40 }, scale = new { x = 1.0, y = 1.0 } },
                        },
                    },
                },
                new
                {
                    id = "color_source",
                    versioned_id = "color_source_v3",
                    name = "Background",
                    uuid = "6f0d1a52-2b43-4d1e-9c55-0a3c1f6b7e02",
                    settings = new { color = 0xFF3A6EA5u, width = settings.Width, height = settings.Height },
                },
                new
                {
                    id = "text_ft2_source",
                    versioned_id = "text_ft2_source_v2",
                    name = "Caption",
                    uuid = "6f0d1a52-2b43-4d1e-9c55-0a3c1f6b7e03",
                    settings = new { text = "Relay live test", font = new { face = "DejaVu Sans", size = 64, style = "Regular", flags = 0 } },
                },
            },
            ["transition_duration"] = 300,
            ["transitions"] = Array.Empty<object>(),
        });
    }

    private static string Ini(string text) => text.ReplaceLineEndings("\n") + "\n";

    private static void WriteJson(string path, object value) =>
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
}
