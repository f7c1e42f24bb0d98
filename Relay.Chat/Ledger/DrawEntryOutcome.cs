namespace Relay.Chat.Ledger;

public enum DrawEntryOutcome
{
    Entered,
    AlreadyEntered,
    /// <summary>The draw ended, or its time is up.</summary>
    Closed,
}
