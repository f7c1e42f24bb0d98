using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Chat.Identity;

/// <summary>The minted guest's JSON, generated at build time (no reflection, NativeAOT-safe), web defaults (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MintedGuest))]
internal sealed partial class IdentityJsonContext : JsonSerializerContext;
