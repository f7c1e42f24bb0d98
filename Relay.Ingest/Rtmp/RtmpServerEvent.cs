namespace Relay.Ingest.Rtmp;

/// <summary>What <see cref="RtmpServerProtocol.Read"/> stopped for.</summary>
internal enum RtmpServerEvent
{
    /// <summary>Every whole chunk of the buffer was consumed; read more from the socket.</summary>
    NeedMoreData,

    /// <summary><c>connect</c> arrived: check <see cref="RtmpServerProtocol.App"/>, then accept or reject it.</summary>
    Connect,

    /// <summary><c>publish</c> arrived: authorize <see cref="RtmpServerProtocol.PublishName"/>, then accept or refuse it.</summary>
    Publish,

    /// <summary>An audio, video or metadata tag is in <see cref="RtmpServerProtocol.Tag"/>.</summary>
    Media,

    /// <summary>The publisher ended its publish (FCUnpublish, deleteStream or closeStream); it may publish again.</summary>
    Unpublish,

    /// <summary>The peer broke the protocol or a limit; see <see cref="RtmpServerProtocol.Error"/>. Close the connection.</summary>
    Invalid,
}
