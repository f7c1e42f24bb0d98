namespace Relay.Chat.Identity;

/// <summary>A guest identity as minted: the id it buys and chats as, the token that proves it, and when that ends.</summary>
internal sealed record MintedGuest(string GuestId, string GuestToken, DateTimeOffset ExpiresAt)
{
    // The token is a credential: keep it out of anything that prints records.
    public override string ToString() => $"MintedGuest {{ GuestId = {GuestId}, ExpiresAt = {ExpiresAt:O} }}";
}
