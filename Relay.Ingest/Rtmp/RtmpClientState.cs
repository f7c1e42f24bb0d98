using System.Buffers.Binary;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;

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
