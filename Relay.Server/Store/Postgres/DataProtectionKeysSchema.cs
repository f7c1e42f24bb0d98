using Relay.Common.Storage;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// The ASP.NET Data Protection key ring every node of a cluster shares (module <c>data_protection</c>): one row per
/// key element as the framework writes it. Append only.
/// </summary>
public static class DataProtectionKeysSchema
{
    public const string Module = "data_protection";

    public static ModuleSchema Definition { get; } = new(Module,
    [
        Migration.Sql(1, """
            CREATE TABLE data_protection_keys (
                name TEXT PRIMARY KEY,
                xml TEXT NOT NULL,
                stored_at TIMESTAMPTZ NOT NULL DEFAULT now());
            """),
    ]);
}
