namespace Relay.Ingest.Rtmp;

/// <summary>What <see cref="RtmpClientProtocol.Read"/> stopped for.</summary>
internal enum RtmpClientEvent
{
    /// <summary>Every whole chunk of the buffer was consumed; send <see cref="RtmpClientProtocol.Output"/>, then read more.</summary>
    NeedMoreData,

    /// <summary>The server answered <c>NetStream.Publish.Start</c>: media may flow.</summary>
    Publishing,

    /// <summary>The server refused a step of the setup (<see cref="RtmpClientProtocol.RefusedAt"/>); the status is in <see cref="RtmpClientProtocol.StatusCode"/>.</summary>
    Refused,

    /// <summary>While publishing, the server sent a status that ends the publish (revoked key, broadcast over).</summary>
    PublishEnded,

    /// <summary>The server broke the chunk protocol or a cap; see <see cref="RtmpClientProtocol.Error"/>. Close the connection.</summary>
    Invalid,
}
