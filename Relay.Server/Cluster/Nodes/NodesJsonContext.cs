using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Server.Cluster.Nodes;

/// <summary>A registry entry's JSON in Redis, generated at build time (no reflection, NativeAOT-safe), web defaults.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NodeInfo))]
internal sealed partial class NodesJsonContext : JsonSerializerContext;
