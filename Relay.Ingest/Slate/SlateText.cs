namespace Relay.Ingest.Slate;

/// <summary>
/// The default slate's words and the font that draws them. The catalog has no per-channel language, so the server's
/// <c>Ingest:SlateLanguage</c> picks them; Chinese needs a CJK font (Debian: fonts-wqy-microhei or fonts-noto-cjk), and
/// without one the slate says it in English only, or shows a plain picture when no font is found at all.
/// </summary>
internal static class SlateText
{
    public const string Chinese = "zh-CN";
    public const string English = "en";
    public const string Both = "zh-CN+en";

    private static readonly string[] CjkFonts =
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    ];

    private static readonly string[] LatinFonts =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    ];

    /// <summary>The lines to draw and the font to draw them with; (null, null) when no font is installed.</summary>
    public static (string? Text, string? Font) For(string language)
    {
        var cjk = Array.Find(CjkFonts, File.Exists);
        var latin = cjk ?? Array.Find(LatinFonts, File.Exists);
        return language switch
        {
            Chinese when cjk is not null => ("马上回来", cjk),
            Both when cjk is not null => ("马上回来\nWe'll be right back", cjk),
            _ when latin is not null => ("We'll be right back", latin),
            _ => (null, null),
        };
    }
}
