namespace Relay.Chat.Storage;

/// <summary>Orders the remaining counts this process reads (reservations, give-backs, line-ups) so a room never applies an
/// older count after a newer one. Taken inside the transaction that read the count.</summary>
internal static class LedgerSequence
{
    private static long s_sequence;

    public static long Next() => Interlocked.Increment(ref s_sequence);
}
