using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Relay.Ingest.Media;

public enum FlvReadStatus
{
    NeedMoreData,
    Read,
    Invalid,
}
