namespace Relay.Ingest.Rtmp;

/// <summary>Outcome of one <see cref="RtmpChunkReader.TryRead"/> call.</summary>
public enum RtmpChunkStatus
{
    /// <summary>The buffer does not hold a whole chunk yet; nothing was consumed and the state is unchanged.</summary>
    NeedMoreData,

    /// <summary>One chunk was consumed; its message is not complete yet.</summary>
    ChunkConsumed,

    /// <summary>One chunk was consumed and it completed a message.</summary>
    MessageComplete,

    /// <summary>The stream violates the protocol or a limit; see <see cref="RtmpChunkStreamState.Error"/>. The state is dead.</summary>
    Invalid,
}
