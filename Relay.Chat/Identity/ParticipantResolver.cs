using System.Security.Cryptography;
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
/// so this happens at Join, not at connect. A credential that is presented but wrong is refused rather
/// than quietly downgraded to guest: a host with a mistyped key must notice.
/// </summary>
internal sealed class ParticipantResolver
{
    private readonly IChannelDirectory _directory;
    private readonly IHostCredentials _credentials;
    private readonly ChatOptions _chat;
    private readonly ILogger<ParticipantResolver> _logger;
    private readonly TimeProvider _time;
    private readonly TokenValidationParameters? _jwt;
    private readonly JsonWebTokenHandler _handler = new();

    public ParticipantResolver(IChannelDirectory directory, IHostCredentials credentials, IOptions<ViewerAuthOptions> auth, IOptions<ChatOptions> chat,
        ILogger<ParticipantResolver> logger, TimeProvider time)
    {
        _directory = directory;
        _credentials = credentials;
        _chat = chat.Value;
        _logger = logger;
        _time = time;
        if (auth.Value.ViewerJwtKey is { Length: > 0 } key)
        {
            _jwt = new TokenValidationParameters
            {
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidateIssuer = false,
                ValidateAudience = false,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                LifetimeValidator = (notBefore, expires, _, _) =>
                {
                    var now = _time.GetUtcNow().UtcDateTime;
                    return expires is { } e && e.AddSeconds(30) > now && (notBefore is not { } nb || nb.AddSeconds(-30) <= now);
                },
            };
        }
    }

    /// <summary>null = the presented credential is not valid for this channel.</summary>
    public async Task<Participant?> ResolveAsync(string? accessToken, string channelId, string? requestedName, CancellationToken cancellationToken)
    {
        var name = TextSanitizer.Truncate(TextSanitizer.Clean(requestedName, _chat.MaxDisplayNameLength), _chat.MaxDisplayNameLength);
        if (string.IsNullOrEmpty(accessToken))
        {
            var guestId = "guest_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            return new Participant(guestId, name.Length > 0 ? name : "Guest " + guestId[^4..], ParticipantRole.Guest);
        }
        if (_jwt is not null && accessToken.Count(c => c == '.') == 2)
        {
            var result = await _handler.ValidateTokenAsync(accessToken, _jwt);
            if (result.IsValid && result.Claims.TryGetValue("sub", out var sub) && sub is string subject && subject.Length is > 0 and <= 128)
            {
                var claimed = result.Claims.TryGetValue("name", out var n) ? n as string : null;
                var display = TextSanitizer.Truncate(TextSanitizer.Clean(claimed, _chat.MaxDisplayNameLength), _chat.MaxDisplayNameLength);
                return new Participant("user_" + subject, display.Length > 0 ? display : name.Length > 0 ? name : "Viewer", ParticipantRole.Viewer);
            }
            // The exception type says why (expired, bad signature) without echoing the token.
            Log.ViewerTokenRejected(_logger, result.Exception?.GetType().Name ?? "missing sub");
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
}
