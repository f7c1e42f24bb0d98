using System.Collections.Immutable;
using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Diagnostics;

namespace Relay.Server.Channels;

/// <summary>Thrown inside a channel mutation to answer 409 with this message.</summary>
public sealed class ConflictException(string message) : Exception(message);
