using Relay.Common.Files;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Configuration;

public sealed class DemoOptions
{
    public bool CreateOnFirstStart { get; set; } = true;
}
