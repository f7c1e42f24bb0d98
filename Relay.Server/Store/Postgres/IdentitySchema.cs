using Relay.Common.Storage;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// What makes a person the same person on every node of a cluster (module <c>identity</c>): the ASP.NET Data
/// Protection key ring (one row per element as the framework writes it: stored secrets and guest tokens are read on
/// every node) and the shared secrets of the live room (the display-id secret, protected with that ring). Append only.
/// </summary>
public static class IdentitySchema
{
    public const string Module = "identity";

    public static ModuleSchema Definition { get; } = new(Module,
    [
        Migration.Sql(1, """
            CREATE TABLE data_protection_keys (
                name TEXT PRIMARY KEY,
                xml TEXT NOT NULL,
                stored_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE shared_secrets (
                name TEXT PRIMARY KEY,
                value_enc TEXT NOT NULL);
            """),
    ]);
}
