namespace Relay.Server.Configuration;

public static class BannerModes
{
    public const string Stdout = "stdout";
    public const string File = "file";
    public const string Off = "off";

    public static readonly string[] All = [Stdout, File, Off];
}
