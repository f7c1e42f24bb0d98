namespace Relay.Ingest.Diagnostics;

/// <summary>
/// Every event id of the ingest's log messages, in one place and in named ranges, so an id says where a line comes
/// from and no two messages share one. Values are stable (operators filter on them): a new message takes the next
/// free id of its range; a value is never reused. Chat uses 5000-5999 (Relay.Chat/Diagnostics/Log.cs).
/// </summary>
internal static class EventIds
{
    // Publishing (RTMP listener and publisher connections): 1000-1099.
    public const int Listening = 1000;
    public const int ConnectionRejected = 1001;
    public const int PublishStarted = 1002;
    public const int PublishEnded = 1003;
    public const int ConnectionFailed = 1004;
    public const int AcceptFailed = 1005;
    public const int ConnectionEnded = 1007; // was 1004 (ConnectionFailed), shared with the handler-crash error
    public const int ProtocolError = 1051;
    public const int FirstMedia = 1052;
    public const int MetadataDropped = 1053;
    public const int AuthorizerFailed = 1055;
    public const int InputLost = 1056;

    // Across nodes (channel ownership, mirrors of another node's channel): 1900-1949.
    public const int OwnershipFailed = 1900;
    public const int OwnershipReleaseFailed = 1901;
    public const int OwnershipLost = 1902;
    public const int MirrorStarted = 1910;
    public const int MirrorEnded = 1911;
    public const int MirrorPullFailed = 1912;

    // Streams (live-channel registry, fan-out): 1006 (kept from before the ranges) and 1200-1299.
    public const int ObserverFailed = 1006;
    public const int SubscriberDropped = 1200;
    public const int RehearsalStarted = 1201;
    public const int SlateOn = 1202;
    public const int SlateHeldWithoutPicture = 1203;
    public const int InputSwitched = 1204;
    public const int SlateExpired = 1205;
    public const int SlateUnavailable = 1206;
    public const int InputReplaced = 1207;
    public const int SlateEncoded = 1208;
    public const int SlateEncodeFailed = 1209;

    // ffmpeg children: 1100-1199.
    public const int FfmpegStarted = 1100;
    public const int FfmpegExited = 1101;
    public const int FfmpegStderr = 1102;
    public const int FfmpegReaped = 1103;
    public const int FfmpegKillFailed = 1104;

    // HLS: 1300-1399.
    public const int HlsPackagerDied = 1300;
    public const int HlsPackagerStartFailed = 1301;
    public const int HlsCleanupFailed = 1302;
    public const int HlsDisabled = 1303;
    public const int HlsStaleCleanupFailed = 1312;
    public const int HlsCodecNotPackaged = 1313;
    public const int LowLatencyHlsUnsupported = 1320;
    public const int LowLatencyHlsFailed = 1321;

    // Recording: 1400-1499. 1407 and 1408 were 1403 and 1404 (RecordingFailed + 1, + 2), which collided with
    // RecordingRecovered and RecordingLowDisk.
    public const int RecordingStarted = 1400;
    public const int RecordingEnded = 1401;
    public const int RecordingFailed = 1402;
    public const int RecordingRecovered = 1403;
    public const int RecordingLowDisk = 1404;
    public const int RecordingDeleted = 1405;
    public const int RecordingHousekeepingFailed = 1406;
    public const int RecordingChannelIdUnusable = 1408;
    public const int RecordingStoppedLowDisk = 1414;
    public const int RecordingsMovedOnDelete = 1420;

    // SRT ingest (the SRT listener and its publishers): 1700-1749.
    public const int SrtListening = 1700;
    public const int SrtRefused = 1701;
    public const int SrtStreamIdRefused = 1702;
    public const int SrtAcceptFailed = 1703;
    public const int SrtConnectionFailed = 1704;
    public const int SrtConnectionEnded = 1705;
    public const int SrtRemuxFailed = 1706;
    public const int SrtBadMedia = 1707;
    public const int SrtSessionStats = 1708;

    // Egress (destinations): 4000-4099.
    public const int EgressLive = 4001;
    public const int EgressRetrying = 4002;
    public const int EgressFailed = 4003;
    public const int EgressLoopCrashed = 4004;
    public const int EgressStopped = 4005;
    public const int EgressDropped = 4006;
    public const int EgressObserverFailed = 4010;
}
