using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Relay.Tests.Common.Chat;

/// <summary>
/// A shop's OpenID provider on its own Kestrel (127.0.0.1, a free port): `/.well-known/openid-configuration` and a JWKS
/// with one RSA (RS256) and one EC P-256 (ES256) key, and the tokens those keys sign. <see cref="RotateRsa"/> replaces the
/// RSA key with a new one under a new key id, as a provider rotating its keys does. <see cref="JwksRequests"/> counts
/// the key set's downloads.
/// </summary>
public sealed class LocalOpenIdProvider : IAsyncDisposable
{
    public const string Audience = "relay-live";

    private readonly WebApplication _app;
    private volatile RsaSecurityKey _rsa = NewRsa("rsa-1");
    private int _jwksRequests;

    private LocalOpenIdProvider(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Authority = address.TrimEnd('/');
    }

    public string Authority { get; }

    public string Issuer => Authority;

    public ECDsaSecurityKey Ec { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-1" };

    public RsaSecurityKey Rsa => _rsa;

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<LocalOpenIdProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LocalOpenIdProvider? provider = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(provider!.Discovery(), "application/json"));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref provider!._jwksRequests);
            return Results.Text(provider.Jwks(), "application/json");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        provider = new LocalOpenIdProvider(app);
        return provider;
    }

    /// <summary>A new RSA key under <paramref name="keyId"/>; the old one is no longer published.</summary>
    public RsaSecurityKey RotateRsa(string keyId) => _rsa = NewRsa(keyId);

    public static RsaSecurityKey NewRsa(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    /// <summary>A token signed by <paramref name="key"/> (RS256 for RSA, ES256 for EC) with this provider's issuer and audience
    /// unless told otherwise.</summary>
    public string Token(SecurityKey key, string sub, string name, string? tier = null, DateTime? expires = null, string? issuer = null, string? audience = null)
    {
        var exp = expires ?? DateTime.UtcNow.AddMinutes(10);
        var claims = new Dictionary<string, object> { ["sub"] = sub, ["name"] = name };
        if (tier is not null) claims["tier"] = tier;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            NotBefore = exp.AddMinutes(-30),
            IssuedAt = exp.AddMinutes(-30),
            Expires = exp,
            SigningCredentials = new SigningCredentials(key, key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : key is SymmetricSecurityKey ? SecurityAlgorithms.HmacSha256 : SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The same claims, `alg: none` and no signature.</summary>
    public string UnsignedToken(string sub)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return Part(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" }) + "."
            + Part(new Dictionary<string, object> { ["sub"] = sub, ["name"] = "None", ["tier"] = "gold", ["iss"] = Issuer, ["aud"] = Audience, ["exp"] = exp }) + ".";
    }

    /// <summary>The RSA key's public part as an HMAC key (the "alg confusion" forgery: HS256 keyed with the public key).</summary>
    public SymmetricSecurityKey PublicKeyAsHmacKey() =>
        new(Encoding.UTF8.GetBytes(_rsa.Rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = _rsa.KeyId };

    private string Discovery() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["jwks_uri"] = Authority + "/jwks",
        ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
    });

    private string Jwks()
    {
        var rsa = _rsa.Rsa.ExportParameters(false);
        var ec = Ec.ECDsa.ExportParameters(false);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["keys"] = new object[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["kid"] = _rsa.KeyId, ["use"] = "sig", ["alg"] = "RS256",
                    ["n"] = Base64UrlEncoder.Encode(rsa.Modulus!), ["e"] = Base64UrlEncoder.Encode(rsa.Exponent!),
                },
                new Dictionary<string, string>
                {
                    ["kty"] = "EC", ["kid"] = Ec.KeyId, ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256",
                    ["x"] = Base64UrlEncoder.Encode(ec.Q.X!), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y!),
                },
            },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
