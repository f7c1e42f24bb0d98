using System.Net;
using System.Text;
using Microsoft.Extensions.Options;

namespace Relay.Chat.Configuration;

// Each validator collects every problem so one start shows them all, each naming its full key.

internal sealed class ViewerAuthOptionsValidator : IValidateOptions<ViewerAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ViewerAuthOptions o)
    {
        var errors = new List<string>();
        const string s = ViewerAuthOptions.Section;
        // The key's value never goes into the message.
        if (o.ViewerJwtKey is { Length: > 0 } key && Encoding.UTF8.GetByteCount(key) < 32)
            errors.Add($"{s}:ViewerJwtKey must be at least 32 bytes of UTF-8 text.");
        var authority = o.ViewerJwt.Authority;
        foreach (var (field, value) in new[] { ("Issuer", o.ViewerJwt.Issuer), ("Audience", o.ViewerJwt.Audience), ("Authority", authority) })
        {
            if (value is null || value.Length == 0) continue;
            if (string.IsNullOrWhiteSpace(value) || value.Trim() != value)
                errors.Add($"{s}:ViewerJwt:{field} must not be blank or have surrounding spaces.");
            else if (string.IsNullOrEmpty(o.ViewerJwtKey) && string.IsNullOrEmpty(authority))
                errors.Add($"{s}:ViewerJwt:{field} is set but neither {s}:ViewerJwtKey nor {s}:ViewerJwt:Authority is: no viewer JWT is accepted without one.");
        }
        if (authority is { Length: > 0 } && authority.Trim() == authority)
        {
            if (!IsAuthority(authority))
                errors.Add($"{s}:ViewerJwt:Authority must be an absolute https URL (http only on a loopback address), without query or fragment.");
            if (string.IsNullOrEmpty(o.ViewerJwt.Audience))
                errors.Add($"{s}:ViewerJwt:Audience is required with {s}:ViewerJwt:Authority: the provider signs tokens for other applications too.");
        }
        if (o.ViewerJwt.KeyRefreshSeconds is < 1 or > 86400)
            errors.Add($"{s}:ViewerJwt:KeyRefreshSeconds must be between 1 and 86400.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsAuthority(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
