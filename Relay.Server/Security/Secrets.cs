using System.Security.Cryptography;
using System.Text;

namespace Relay.Server.Security;

/// <summary>Generation, comparison and redaction of stream keys, host keys and tokens.</summary>
public static class Secrets
{
    /// <summary>A new key: a readable prefix plus 24 CSPRNG bytes in base64url (192 bits).</summary>
    public static string NewKey(string prefix)
    {
        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return prefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Constant-time equality, so a wrong key takes as long to refuse whatever its prefix.</summary>
    public static bool Matches(string? presented, string? expected)
    {
        if (presented is null || expected is null)
        {
            return false;
        }
        // Hash both sides first so the comparison time does not depend on the lengths either.
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary><c>****abcd</c>: enough to tell keys apart, too little to use one.</summary>
    public static string? Redact(string? secret) =>
        string.IsNullOrEmpty(secret) ? null : "****" + (secret.Length > 12 ? secret[^4..] : "");

    /// <summary>
    /// A push URL fit to show or log: userinfo and query values hidden, and when the key rides
    /// in the URL (no separate stream key) its last path segment redacted too.
    /// </summary>
    public static string RedactUrl(string url, bool keyInPath)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "(invalid url)";
        }
        var path = uri.AbsolutePath;
        if (keyInPath)
        {
            var trimmed = path.TrimEnd('/');
            var cut = trimmed.LastIndexOf('/');
            if (cut > 0)
            {
                path = trimmed[..(cut + 1)] + Redact(trimmed[(cut + 1)..]);
            }
        }
        var query = uri.Query.Length > 1
            ? "?" + string.Join('&', uri.Query[1..].Split('&').Select(p => p.Split('=')[0] + "=****"))
            : "";
        var port = uri.IsDefaultPort || uri.Port < 0 ? "" : ":" + uri.Port;
        return $"{uri.Scheme}://{uri.Host}{port}{path}{query}";
    }
}
