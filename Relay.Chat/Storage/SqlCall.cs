namespace Relay.Chat.Storage;

/// <summary>One statement of the commerce store with its positional arguments (<c>$1..$n</c>, the same text on SQLite
/// and PostgreSQL).</summary>
internal readonly record struct SqlCall(string Sql, params object?[] Args)
{
    /// <summary>A query or a statement with RETURNING: it answers a result set (perhaps empty).</summary>
    public bool ReturnsRows =>
        Sql.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || Sql.Contains("RETURNING", StringComparison.OrdinalIgnoreCase);
}
