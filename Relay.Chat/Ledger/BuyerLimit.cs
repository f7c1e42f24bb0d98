namespace Relay.Chat.Ledger;

/// <summary>Which per-buyer cap refused a reservation.</summary>
public enum BuyerLimit { None, PerSku, PerSale }
