namespace Relay.Server.Channels;

/// <summary>Thrown inside a channel mutation to answer 409 with this message.</summary>
public sealed class ConflictException(string message) : Exception(message);
