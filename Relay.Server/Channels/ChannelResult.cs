namespace Relay.Server.Channels;

public sealed record ChannelResult(ChannelOutcome Outcome, ChannelDefinition? Channel = null, string? Detail = null, IReadOnlyList<FieldError>? Errors = null)
{
    public static ChannelResult NotFound(string what) => new(ChannelOutcome.NotFound, Detail: what);
    public static ChannelResult Conflict(string why) => new(ChannelOutcome.Conflict, Detail: why);
}
