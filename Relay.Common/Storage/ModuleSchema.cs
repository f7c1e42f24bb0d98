using System.Data.Common;

namespace Relay.Common.Storage;

/// <summary>
/// The tables one module owns in the shared database, as its numbered migrations (1, 2, 3 ... with no gap; append
/// only: a released step is never edited). Its version is the row <c>(Module, version)</c> of <c>relay_schema</c>.
/// </summary>
public sealed class ModuleSchema
{
    /// <param name="module">The module's row in <c>relay_schema</c>, e.g. <c>channels</c> or <c>chat</c>.</param>
    /// <param name="migrations">Steps in order; step i brings the schema to version i.</param>
    /// <param name="legacyVersion">
    /// For a module that kept its version elsewhere before <c>relay_schema</c>: reads that version (null when there is
    /// none) and removes the old record, inside the migration's transaction. Runs only while the module has no row.
    /// </param>
    public ModuleSchema(string module, IReadOnlyList<Migration> migrations, Func<DbConnection, DbTransaction, CancellationToken, Task<int?>>? legacyVersion = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new ArgumentException($"{module}: migration {i + 1} has version {migrations[i].Version}; versions are 1, 2, 3 ... in order", nameof(migrations));
            }
        }

        Module = module;
        Migrations = migrations;
        LegacyVersion = legacyVersion;
    }

    public string Module { get; }

    public IReadOnlyList<Migration> Migrations { get; }

    public int LatestVersion => Migrations.Count;

    public Func<DbConnection, DbTransaction, CancellationToken, Task<int?>>? LegacyVersion { get; }
}
