using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Chat.Contracts;

/// <summary>
/// The hub's wire shapes for SignalR's JSON protocol, generated at build time (no reflection, NativeAOT-safe): every
/// argument and result of <c>LiveHub</c>'s methods and every <see cref="ILiveClient"/> event. It is a resolver in the
/// protocol's payload options, whose settings (camelCase, case-insensitive reading) apply; these mirror them.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(JoinOptions))]
[JsonSerializable(typeof(JoinSnapshot))]
[JsonSerializable(typeof(PurchaseRequest))]
[JsonSerializable(typeof(PurchaseResult))]
[JsonSerializable(typeof(FollowResult))]
[JsonSerializable(typeof(RemindResult))]
[JsonSerializable(typeof(FlashSaleRequest))]
[JsonSerializable(typeof(ChatMessageView))]
[JsonSerializable(typeof(MessageDeletedEvent))]
[JsonSerializable(typeof(ProductView))]
[JsonSerializable(typeof(PinnedEvent))]
[JsonSerializable(typeof(UnpinnedEvent))]
[JsonSerializable(typeof(FlashSaleView))]
[JsonSerializable(typeof(StockEvent))]
[JsonSerializable(typeof(PurchaseToast))]
[JsonSerializable(typeof(OrderEvent))]
[JsonSerializable(typeof(ViewersEvent))]
[JsonSerializable(typeof(StatusEvent))]
[JsonSerializable(typeof(NextShowEvent))]
[JsonSerializable(typeof(RoomEventView))]
[JsonSerializable(typeof(LineupEvent))]
[JsonSerializable(typeof(ResumeResult))]
[JsonSerializable(typeof(CouponRequest))]
[JsonSerializable(typeof(CouponView))]
[JsonSerializable(typeof(CouponClaimResult))]
[JsonSerializable(typeof(LikesEvent))]
[JsonSerializable(typeof(DrawRequest))]
[JsonSerializable(typeof(DrawView))]
[JsonSerializable(typeof(DrawResultView))]
[JsonSerializable(typeof(DrawEntryResult))]
[JsonSerializable(typeof(CueEvent))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
