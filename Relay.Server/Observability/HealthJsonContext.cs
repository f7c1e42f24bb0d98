using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Server.Observability;

/// <summary>The readiness answer's JSON, generated at build time (no reflection, NativeAOT-safe), web defaults.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReadinessAnswer))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
