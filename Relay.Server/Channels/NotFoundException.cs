namespace Relay.Server.Channels;

/// <summary>Thrown inside a channel mutation to answer 404 with this message.</summary>
public sealed class NotFoundException(string message) : Exception(message);
