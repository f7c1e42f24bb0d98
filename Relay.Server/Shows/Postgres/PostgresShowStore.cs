using System.Data.Common;
using Relay.Common.Storage;

namespace Relay.Server.Shows.Postgres;

/// <summary>Shows in the cluster's PostgreSQL, shared by every node (the node that owns a live channel writes its show;
/// any node writes the joins it sees and answers reports).</summary>
public sealed class PostgresShowStore(PostgresDatabase db) : RelationalShowStore
{
    public override async Task MigrateAsync(CancellationToken ct) => await db.MigrateAsync(ShowsSchema.Definition, ct);

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await db.OpenAsync(ct);
}
