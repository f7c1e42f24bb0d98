namespace Relay.Ingest.Egress.Source;

/// <summary>Finds the live source of a channel; null when the channel is offline.</summary>
public interface IEgressSourceResolver
{
    IEgressSource? Find(string channelId);
}
