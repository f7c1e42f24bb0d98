namespace Relay.Tests.Common;

/// <summary>
/// Multiplier for the fault suite's counts. CI runs with 1 (the whole category must fit its budget on 2 cores);
/// <c>RELAY_FAULTS_SCALE=10 ./test.sh --filter Category=Faults</c> runs ten times as many cases and cycles.
/// </summary>
internal static class FaultScale
{
    public const string Variable = "RELAY_FAULTS_SCALE";

    public static int Factor { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(Variable), out var n) && n > 0 ? n : 1;

    public static int Of(int ciCount) => checked(ciCount * Factor);
}
