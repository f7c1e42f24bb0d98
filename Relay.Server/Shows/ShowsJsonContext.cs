using System.Text.Json;
using System.Text.Json.Serialization;
using Relay.Chat.Http;

namespace Relay.Server.Shows;

/// <summary>The shows API's JSON (web defaults, as the rest of the REST API).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<ShowSummary>))]
[JsonSerializable(typeof(ItemsPage<ShowSummary>))]
[JsonSerializable(typeof(ShowReport))]
internal sealed partial class ShowsJsonContext : JsonSerializerContext;
