using System.Collections.Immutable;
using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Diagnostics;

namespace Relay.Server.Channels;

public enum ChannelOutcome { Ok, NotFound, Conflict, Invalid }
