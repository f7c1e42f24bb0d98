using Relay.Chat.Channels;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>What a room offers of one sku at one moment (<see cref="LiveRoom.Offer"/>): the product (null = not in the
/// line-up), the flash sale running on it (null = none), whether the room already knows it is sold
/// out, the stock epoch the ledger's answer must match, and whether the line-up limits its stock.</summary>
internal readonly record struct PurchaseOffer(
    LineupItem? Product, FlashSaleRecord? FlashSale, bool KnownSoldOut, int StockEpoch, bool LineupLimited);
