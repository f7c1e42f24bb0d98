namespace Relay.Common.Storage;

/// <summary>What a <see cref="SchemaMigrator"/> run did to one module: its version before and after.</summary>
public readonly record struct SchemaMigration(string Module, int From, int To);
