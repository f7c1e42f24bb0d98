using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Chat.Social;

/// <summary>The followers list's JSON, generated at build time (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FollowersPage))]
internal sealed partial class SocialJsonContext : JsonSerializerContext;
