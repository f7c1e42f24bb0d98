namespace Relay.Server.Channels;

public enum ChannelOutcome { Ok, NotFound, Conflict, Invalid }
