namespace Relay.Chat.Contracts;

/// <summary>The <c>status</c> values of <see cref="DrawEntryResult"/> (CONTRACT.md v2).</summary>
public static class DrawEntryStatus
{
    public const string Entered = "entered";
    public const string Closed = "closed";
    public const string NotEligible = "not_eligible";
    public const string LoginRequired = "login_required";
}
