using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Chat.Draws;

/// <summary>The draws endpoint's JSON (source-generated, NativeAOT-safe), web defaults (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DrawReport))]
internal sealed partial class DrawsJsonContext : JsonSerializerContext;
