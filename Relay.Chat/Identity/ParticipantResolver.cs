using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Relay.Chat.Channels;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Identity;

/// <summary>
/// Turns the connection's `access_token` into a participant of one channel. Host keys are per channel,
/// so this happens at Join, not at connect. A credential that is presented but wrong (an expired guest token too)
/// is refused rather than quietly downgraded to guest: a host with a mistyped key must notice, and a guest page
/// must mint a new guest token rather than silently become another buyer.
/// </summary>
internal sealed class ParticipantResolver
{
    private readonly IChannelDirectory _directory;
    private readonly IHostCredentials _credentials;
    private readonly ChatOptions _chat;
    private readonly ILogger<ParticipantResolver> _logger;
    private readonly TimeProvider _time;
    private readonly GuestTokens _guests;
    private readonly DisplayNames _names;
    private readonly TokenValidationParameters? _jwt;
    private readonly ShopIdentityProvider _provider;
    private readonly JsonWebTokenHandler _handler = new();

    public ParticipantResolver(IChannelDirectory directory, IHostCredentials credentials, IOptions<ViewerAuthOptions> auth, IOptions<ChatOptions> chat,
        GuestTokens guests, DisplayNames names, ShopIdentityProvider provider, ILogger<ParticipantResolver> logger, TimeProvider time)
    {
        _provider = provider;
        _directory = directory;
        _credentials = credentials;
        _chat = chat.Value;
        _guests = guests;
        _names = names;
        _logger = logger;
        _time = time;
        if (auth.Value.ViewerJwtKey is { Length: > 0 } key)
        {
            var bound = auth.Value.ViewerJwt;
            _jwt = new TokenValidationParameters
            {
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                // Unset = any issuer and audience, as before these settings existed; set them so a token the shop
                // signs with the same key for another service is not a Relay login.
                ValidateIssuer = bound.Issuer is { Length: > 0 },
                ValidIssuer = bound.Issuer,
                ValidateAudience = bound.Audience is { Length: > 0 },
                ValidAudience = bound.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                LifetimeValidator = ViewerTokenLifetime.Validator(_time),
            };
        }
    }

    /// <summary>null = the presented credential is not valid for this channel. <paramref name="accessToken"/> is the one the
    /// connection presented (none = a guest without a guest token, who is <paramref name="connectionGuestId"/>).
    /// <paramref name="hostNames"/> are the <see cref="DisplayNames.Skeleton"/>s of the names the room's hosts use, which
    /// nobody else may take.</summary>
    public async Task<Participant?> ResolveAsync(string? accessToken, string connectionGuestId, string channelId, string? requestedName, IReadOnlyCollection<string> hostNames, CancellationToken cancellationToken)
    {
        var name = TextSanitizer.Truncate(TextSanitizer.Clean(requestedName, _chat.MaxDisplayNameLength), _chat.MaxDisplayNameLength);
        // The name a guest or viewer asks for; hosts and admins keep theirs (they are the ones it is reserved for).
        var audienceName = _names.IsReserved(name, hostNames) ? "" : name;
        if (string.IsNullOrEmpty(accessToken))
            return Guest(connectionGuestId, audienceName) with { ConnectionScoped = true };
        if (GuestTokens.LooksLikeGuestToken(accessToken))
        {
            if (_guests.Validate(accessToken, out var problem) is { } guestId) return Guest(guestId, audienceName);
            Log.GuestTokenRejected(_logger, problem);
            return null;
        }
        if ((_jwt is not null || _provider.Enabled) && accessToken.Count(c => c == '.') == 2)
        {
            var result = await ValidateViewerTokenAsync(accessToken);
            if (result is { IsValid: true } && result.Claims.TryGetValue("sub", out var sub) && sub is string subject && subject.Length is > 0 and <= 128)
            {
                var claimed = result.Claims.TryGetValue("name", out var n) ? n as string : null;
                var display = TextSanitizer.Truncate(TextSanitizer.Clean(claimed, _chat.MaxDisplayNameLength), _chat.MaxDisplayNameLength);
                if (_names.IsReserved(display, hostNames)) display = "";
                // A tier (any non-empty text) makes the viewer a member: member prices apply (Purchases.PurchaseService).
                var tier = result.Claims.TryGetValue("tier", out var t) && t is string tierText ? TextSanitizer.Truncate(TextSanitizer.Clean(tierText, 64), 64) : "";
                return new Participant("user_" + subject, display.Length > 0 ? display : audienceName.Length > 0 ? audienceName : "Viewer", ParticipantRole.Viewer)
                {
                    Tier = tier.Length > 0 ? tier : null,
                };
            }
            // The exception type says why (expired, bad signature) without echoing the token.
            Log.ViewerTokenRejected(_logger, result?.Exception?.GetType().Name ?? "missing sub or malformed");
            return null;
        }
        // Generation first: if the key is rotated in between, the participant carries the older one and loses its rights.
        var generation = _credentials.HostKeyGeneration(channelId);
        if (await _directory.IsHostKeyAsync(channelId, accessToken, cancellationToken))
            return new Participant("host_" + channelId, name.Length > 0 ? name : "Host", ParticipantRole.Host) { HostKeyGeneration = generation };
        if (await _directory.IsAdminTokenAsync(accessToken, cancellationToken))
            return new Participant("admin", name.Length > 0 ? name : "Admin", ParticipantRole.Admin);
        return null;
    }

    /// <summary>HS256 tokens go to the shared key, anything else to the shop's OpenID provider (which accepts RS256 and
    /// ES256 only); null = not even a JWT.</summary>
    private async Task<TokenValidationResult?> ValidateViewerTokenAsync(string accessToken)
    {
        string algorithm;
        try
        {
            algorithm = _handler.ReadJsonWebToken(accessToken).Alg ?? "";
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return null;
        }
        if (_jwt is not null && (algorithm.StartsWith("HS", StringComparison.OrdinalIgnoreCase) || !_provider.Enabled))
            return await _handler.ValidateTokenAsync(accessToken, _jwt);
        return await _provider.ValidateAsync(_handler, accessToken);
    }

    private static Participant Guest(string guestId, string name) =>
        new(guestId, name.Length > 0 ? name : "Guest " + guestId[^4..], ParticipantRole.Guest);
}
