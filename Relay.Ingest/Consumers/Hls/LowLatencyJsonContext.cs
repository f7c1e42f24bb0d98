using System.Text.Json.Serialization;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>Source-generated JSON of what the LL-HLS rendition writes (native builds have no reflection serializer).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CueMetadata))]
internal sealed partial class LowLatencyJsonContext : JsonSerializerContext;
