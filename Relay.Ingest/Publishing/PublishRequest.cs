using System.Net;

namespace Relay.Ingest.Publishing;

/// <summary>A publish attempt: the RTMP app, the stream key (publish name) and the client address.</summary>
public sealed record PublishRequest(string App, string StreamKey, IPEndPoint Remote)
{
    /// <summary>Never prints the key: records print every property, and requests end up in logs.</summary>
    public override string ToString() => $"PublishRequest {{ App = {App}, StreamKey = ****, Remote = {Remote} }}";
}
