namespace Relay.Ingest.Consumers.HttpFlv;

/// <summary>
/// Who may watch a channel's preview (<c>/live/{id}.flv?access_token=</c>): the stream as it comes in, rehearsal or not.
/// Implemented by the server, which holds the credentials; compares in constant time.
/// </summary>
public interface IPreviewAccess
{
    bool MayPreview(string channelId, string token);
}
