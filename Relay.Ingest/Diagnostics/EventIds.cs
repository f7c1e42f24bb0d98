namespace Relay.Ingest.Diagnostics;

/// <summary>Central event ids for the ingest's log messages.</summary>
internal static class EventIds
{
    public const int GatewayListening = 1000;
    public const int ConnectionRejected = 1001;
    public const int PublishStarted = 1002;
    public const int PublishEnded = 1003;
    public const int ConnectionFailed = 1004;
    public const int AcceptFailed = 1005;
    public const int ObserverFailed = 1006;
    public const int FfmpegStarted = 1100;
    public const int FfmpegExited = 1101;
    public const int FfmpegStderr = 1102;
    public const int FfmpegReaped = 1103;
    public const int FfmpegKillFailed = 1104;
    public const int SubscriberDropped = 1200;
}
