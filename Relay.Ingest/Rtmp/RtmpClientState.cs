namespace Relay.Ingest.Rtmp;

/// <summary>Where the publish is in its command sequence.</summary>
internal enum RtmpClientState
{
    Idle,
    Connecting,
    CreatingStream,
    PublishPending,
    Publishing,
    Closed,
}
