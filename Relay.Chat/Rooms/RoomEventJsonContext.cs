using System.Text.Json.Serialization;

namespace Relay.Chat.Rooms;

/// <summary>The JSON of <see cref="RoomEvent"/> and <see cref="RoomState"/> between nodes (source-generated, NativeAOT-safe):
/// the owner of the types writes them, a bus only carries the bytes (architecture.md, "A payload that crosses planes
/// crosses as JSON").</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RoomEvent))]
[JsonSerializable(typeof(RoomState))]
[JsonSerializable(typeof(Contracts.ChatMessageView))]
[JsonSerializable(typeof(Ledger.FlashSaleRecord))]
[JsonSerializable(typeof(Ledger.CouponRecord))]
[JsonSerializable(typeof(Contracts.DrawView))]
[JsonSerializable(typeof(string))]
public sealed partial class RoomEventJsonContext : JsonSerializerContext;
