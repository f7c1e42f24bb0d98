using System.Text.Json;
using System.Text.Json.Serialization;
using Relay.Chat.Channels;
using Relay.Server.Apis.Requests;
using Relay.Server.Apis.Views;
using Relay.Server.Cluster.Nodes;

namespace Relay.Server.Apis;

/// <summary>
/// The REST API's JSON, generated at build time (no reflection, NativeAOT-safe), with the web defaults ASP.NET Core has
/// always written (camelCase, nulls written, numbers also read from strings): every answer, the documented request
/// bodies (for the OpenAPI schemas) and the values <see cref="ApiProblems.Get{T}"/> reads field by field. A collection
/// answered through an interface is serialized by its runtime type, so the concrete ones are listed too.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool?))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double?))]
[JsonSerializable(typeof(List<ChannelSummary>))]
[JsonSerializable(typeof(CreatedChannel))]
[JsonSerializable(typeof(ChannelDetails))]
[JsonSerializable(typeof(StreamKeyAnswer))]
[JsonSerializable(typeof(BackupStreamKeyAnswer))]
[JsonSerializable(typeof(HostKeyAnswer))]
[JsonSerializable(typeof(DestinationView))]
[JsonSerializable(typeof(List<DestinationView>))]
[JsonSerializable(typeof(IReadOnlyList<LineupItem>))]
[JsonSerializable(typeof(List<LineupItem>))]
[JsonSerializable(typeof(LineupItem[]))]
[JsonSerializable(typeof(List<PlatformView>))]
[JsonSerializable(typeof(List<RecordingView>))]
[JsonSerializable(typeof(List<NodeInfo>))]
[JsonSerializable(typeof(CreateChannelRequest))]
[JsonSerializable(typeof(CreateDestinationRequest))]
[JsonSerializable(typeof(PatchDestinationRequest))]
[JsonSerializable(typeof(PatchChannelRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
