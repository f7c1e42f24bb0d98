using System.Data.Common;
using Relay.Common.Storage;

namespace Relay.Server.Shows;

/// <summary>Shows in the embedded <c>relay.db</c>.</summary>
public sealed class SqliteShowStore(SqliteDatabase db) : RelationalShowStore
{
    public override async Task MigrateAsync(CancellationToken ct) => await db.MigrateAsync(ShowsSchema.Definition, ct);

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await db.OpenAsync(ct);
}
