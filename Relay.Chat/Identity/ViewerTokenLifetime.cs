using Microsoft.IdentityModel.Tokens;

namespace Relay.Chat.Identity;

/// <summary>`exp` required and checked (and `nbf` when present) against the relay's clock, 30 seconds of skew either way.</summary>
internal static class ViewerTokenLifetime
{
    public static LifetimeValidator Validator(TimeProvider time) => (notBefore, expires, _, _) =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } e && e.AddSeconds(30) > now && (notBefore is not { } nb || nb.AddSeconds(-30) <= now);
    };
}
