namespace Relay.Chat.Diagnostics;

/// <summary>The open <c>/hubs/live</c> connections of this process, for the host's node registry.</summary>
public static class LiveHubConnections
{
    public static double Current => ChatMetrics.HubConnections.Value;
}
