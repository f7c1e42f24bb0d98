using System.Reflection;

namespace Relay.Tests.Unit.Architecture;

/// <summary>The four production projects as compiled, for the rules read from assemblies rather than source.</summary>
internal static class ProductionAssemblies
{
    public static readonly Assembly[] All =
    [
        typeof(Relay.Common.Resilience.BackoffPolicy).Assembly,
        typeof(Relay.Ingest.IngestServiceCollectionExtensions).Assembly,
        typeof(Relay.Chat.ChatServiceCollectionExtensions).Assembly,
        typeof(Relay.Server.Hosting.RelayHost).Assembly,
    ];
}
