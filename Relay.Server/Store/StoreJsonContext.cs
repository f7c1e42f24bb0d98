using System.Text.Json;
using System.Text.Json.Serialization;
using Relay.Ingest.Egress;

namespace Relay.Server.Store;

/// <summary>What the channel store keeps as JSON (a destination's profile), generated at build time (no reflection,
/// NativeAOT-safe): web defaults, unset fields left out of the row.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EgressProfile))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
