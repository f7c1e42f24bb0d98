using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Access;

/// <summary>The token of an <c>Authorization: Bearer</c> header (RFC 6750), or null.</summary>
public static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = header["Bearer ".Length..].Trim();
        return token.Length > 0 ? token : null;
    }
}
