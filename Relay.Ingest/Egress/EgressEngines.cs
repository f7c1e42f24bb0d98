namespace Relay.Ingest.Egress;

public static class EgressEngines
{
    public const string Auto = "auto";
    public const string Ffmpeg = "ffmpeg";
}
