using Npgsql;

namespace Relay.Chat.Storage.Postgres;

/// <summary>
/// The commerce session on PostgreSQL: the statements of one call go out as one <see cref="NpgsqlBatch"/> (one network
/// round trip, run in order by the server), prepared once per connection (Npgsql keeps prepared statements with the
/// pooled physical connection), so a batch of 512 reservations costs two round trips plus the commit.
/// </summary>
internal sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction? transaction) : ICommerceSession
{
    public async Task<IReadOnlyList<SqlResult>> RunAsync(IReadOnlyList<SqlCall> calls, CancellationToken cancellationToken)
    {
        if (calls.Count == 0) return [];
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var call in calls)
        {
            var command = new NpgsqlBatchCommand(call.Sql);
            foreach (var arg in call.Args) command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
            batch.BatchCommands.Add(command);
        }
        await batch.PrepareAsync(cancellationToken);

        var results = new SqlResult[calls.Count];
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        // The reader steps over statements that return no result set (an INSERT without RETURNING): only those that
        // do take a turn.
        for (var i = 0; i < calls.Count; i++)
        {
            var rows = new List<object?[]>();
            if (calls[i].ReturnsRows)
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = new object?[reader.FieldCount];
                    for (var c = 0; c < row.Length; c++) row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
                    rows.Add(row);
                }
                await reader.NextResultAsync(cancellationToken);
            }
            results[i] = new SqlResult(rows, 0);
        }
        await reader.CloseAsync();
        for (var i = 0; i < calls.Count; i++)
            results[i] = results[i] with { Affected = (int)batch.BatchCommands[i].RecordsAffected };
        return results;
    }
}
