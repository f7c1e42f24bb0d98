namespace Relay.Ingest.Media;

public enum FlvReadStatus
{
    NeedMoreData,
    Read,
    Invalid,
}
