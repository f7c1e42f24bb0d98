using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Relay.Chat.Configuration;

namespace Relay.Chat.Identity;

/// <summary>
/// The shop's OpenID provider (`Auth:ViewerJwt:Authority`): its discovery document and JWKS are fetched on first use,
/// cached, refreshed every 12 hours and again (at most every `KeyRefreshSeconds`) when a token names a key id the
/// cached set does not have, so a key the provider rotates in is picked up without a restart. Only RS256 and ES256
/// signatures by those keys are accepted (never `none`, never an HMAC keyed with a public key); issuer (the configured
/// one, else the discovery document's), audience and lifetime are checked by Microsoft.IdentityModel.
/// </summary>
internal sealed class ShopIdentityProvider : IDisposable
{
    private readonly HttpClient? _http;
    private readonly TokenValidationParameters? _parameters;

    public ShopIdentityProvider(IOptions<ViewerAuthOptions> options, TimeProvider time)
    {
        var jwt = options.Value.ViewerJwt;
        if (jwt.Authority is not { Length: > 0 } authority) return;
        var metadata = authority.TrimEnd('/') + "/.well-known/openid-configuration";
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var retriever = new HttpDocumentRetriever(_http) { RequireHttps = !ViewerAuthOptionsValidator.IsLoopback(new Uri(authority)) };
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(metadata, new OpenIdConnectConfigurationRetriever(), retriever)
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
            RefreshInterval = TimeSpan.FromSeconds(jwt.KeyRefreshSeconds),
        };
        _parameters = new TokenValidationParameters
        {
            ConfigurationManager = manager,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
            ValidateIssuer = true,
            ValidIssuer = jwt.Issuer is { Length: > 0 } issuer ? issuer : null,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = ViewerTokenLifetime.Validator(time),
        };
        Enabled = true;
    }

    public bool Enabled { get; }

    /// <summary>A copy per call: the handler marks the parameters it refreshed keys for.</summary>
    public Task<TokenValidationResult> ValidateAsync(JsonWebTokenHandler handler, string token) =>
        handler.ValidateTokenAsync(token, (_parameters ?? throw new InvalidOperationException("no Auth:ViewerJwt:Authority")).Clone());

    public void Dispose() => _http?.Dispose();
}
