namespace Relay.Server.Configuration;

/// <summary>A problem that stops startup; its message is the one line the operator sees.</summary>
public sealed class StartupException(string message) : Exception(message);
