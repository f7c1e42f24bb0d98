using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>The timeline sidecar's JSON, generated at build time (no reflection, NativeAOT-safe): web defaults
/// (camelCase), nulls written, indented for a reader who opens the file.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(RecordingTimeline))]
internal sealed partial class RecordingJsonContext : JsonSerializerContext;
