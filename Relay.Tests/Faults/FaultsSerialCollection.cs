namespace Relay.Tests.Faults;

/// <summary>
/// Fault tests that measure this process (CPU time, threads, handles, managed memory) run alone: other test
/// classes share the process and would be counted as the fault's cost.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsSerialCollection
{
    public const string Name = "Faults (measured alone)";
}
