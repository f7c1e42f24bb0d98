using Relay.Chat.Http;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Chat.Orders;

/// <summary>The order API's JSON (the body Relay posts, the built-in API's answers, the relay's order lists), generated
/// at build time (no reflection, NativeAOT-safe), with the web defaults the wire has always had (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(OrderApiRequest))]
[JsonSerializable(typeof(List<OrderApiRequest>))]
[JsonSerializable(typeof(OrderAnswer))]
[JsonSerializable(typeof(List<ChannelOrderView>))]
[JsonSerializable(typeof(ItemsPage<ChannelOrderView>))]
[JsonSerializable(typeof(List<DeadLetterView>))]
[JsonSerializable(typeof(List<Referrals.ReferralLine>))]
[JsonSerializable(typeof(ItemsPage<Referrals.ReferralLine>))]
internal sealed partial class OrdersJsonContext : JsonSerializerContext;
