namespace Relay.Chat.Draws;

public sealed record DrawReportWinner(string UserId, string DisplayName);
