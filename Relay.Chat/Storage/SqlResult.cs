namespace Relay.Chat.Storage;

/// <summary>What one <see cref="SqlCall"/> gave: its rows (database nulls as null) and the rows it changed.</summary>
internal sealed record SqlResult(IReadOnlyList<object?[]> Rows, int Affected)
{
    public object? Scalar => Rows.Count > 0 && Rows[0].Length > 0 ? Rows[0][0] : null;
}
