namespace Relay.Chat.Storage;

/// <summary>Orders the remaining counts the store reads (reservations, give-backs, line-ups) so a room never applies an
/// older count after a newer one. Taken inside the transaction that read the count, after its row locks. One process
/// (SQLite) counts in memory; the nodes of a cluster take the database server's clock (<see cref="CommerceDialect.SequenceBase"/>),
/// one clock for every node.</summary>
internal static class LedgerSequence
{
    private static long s_sequence;

    public static long Next() => Interlocked.Increment(ref s_sequence);

    /// <summary>A source of increasing sequence numbers for one transaction (up to 1024 on PostgreSQL: a batch holds at most 512).</summary>
    public static async Task<Func<long>> ForTransactionAsync(ICommerceSession session, CommerceDialect dialect, CancellationToken cancellationToken)
    {
        if (dialect.SequenceBase is null)
        {
            return Next;
        }

        return From(SqlValue.Long(await session.ScalarAsync(dialect.SequenceBase, cancellationToken)));
    }

    /// <summary>Increasing numbers from <paramref name="first"/> (a value <see cref="CommerceDialect.SequenceBase"/> read).</summary>
    public static Func<long> From(long first)
    {
        var next = first;
        return () => next++;
    }
}
