namespace Relay.Ingest.Streams;

/// <summary>
/// Where a channel's slate comes from (implemented in <c>Slate/</c> with ffmpeg). <see cref="Prepare"/> is called once
/// the channel's stream shape is known, so the slate is encoded before a drop needs it; <see cref="Find"/> is called
/// at the drop and must answer at once (null: not ready or impossible, the channel is held without a picture).
/// </summary>
public interface ISlateSource
{
    /// <summary>Starts encoding the channel's slate for <paramref name="shape"/> if it is not cached; never blocks.</summary>
    void Prepare(string channelId, StreamShape shape);

    /// <summary>The encoded slate of the channel for <paramref name="shape"/>, or null when it is not ready.</summary>
    SlateGop? Find(string channelId, StreamShape shape);
}
