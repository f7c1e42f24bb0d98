namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// One LL-HLS segment: the parts it was published as, and once complete the segment itself (its parts' bytes one after
/// the other, which is a valid fragmented MP4 segment). Parts of old segments are dropped; the segment stays while the
/// playlist lists it. Changed only under the stream's lock.
/// </summary>
internal sealed class LowLatencySegment(long sequence, int initVersion, bool discontinuity, DateTimeOffset programDateTime)
{
    public long Sequence { get; } = sequence;

    /// <summary>The init segment its fragments need (a new one after a change of codec parameters).</summary>
    public int InitVersion { get; } = initVersion;

    /// <summary>The first segment after a change of init segment: the playlist says so.</summary>
    public bool Discontinuity { get; } = discontinuity;

    /// <summary>Wall-clock time of its first frame, for <c>EXT-X-PROGRAM-DATE-TIME</c>.</summary>
    public DateTimeOffset ProgramDateTime { get; } = programDateTime;

    public List<LowLatencyPart> Parts { get; } = [];

    /// <summary>Set when the segment is complete.</summary>
    public byte[]? Bytes { get; private set; }

    public double DurationSeconds { get; private set; }

    /// <summary>False once the parts were let go (the segment is too old for a low-latency player to ask for them).</summary>
    public bool HasParts { get; private set; } = true;

    public bool Complete => Bytes is not null;

    public void Add(LowLatencyPart part)
    {
        Parts.Add(part);
        DurationSeconds += part.DurationSeconds;
    }

    public void Close()
    {
        var length = 0;
        foreach (var p in Parts) length += p.Bytes.Length;
        var bytes = new byte[length];
        var at = 0;
        foreach (var p in Parts)
        {
            p.Bytes.CopyTo(bytes, at);
            at += p.Bytes.Length;
        }

        Bytes = bytes;
    }

    public void DropParts()
    {
        if (!Complete) return;
        HasParts = false;
        for (var i = 0; i < Parts.Count; i++) Parts[i] = Parts[i] with { Bytes = [] };
    }
}
