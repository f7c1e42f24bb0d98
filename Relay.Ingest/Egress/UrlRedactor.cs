namespace Relay.Ingest.Egress;

/// <summary>
/// Makes a destination URL safe for logs and errors: drops userinfo, masks query values and, because RTMP URLs
/// commonly carry the stream key as their last path segment, masks that segment when it is not the app itself.
/// </summary>
public static class UrlRedactor
{
    public const string Mask = "****";

    public static string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return Mask; // unparseable: it could be anything, including a bare key
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? "" : $":{uri.Port}";
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 2)
        {
            segments[^1] = Mask;
        }

        var path = segments.Length == 0 ? "" : "/" + string.Join('/', segments);
        var query = "";
        if (uri.Query.Length > 1)
        {
            var pairs = uri.Query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2)[0] + "=" + Mask);
            query = "?" + string.Join('&', pairs);
        }

        return $"{uri.Scheme}://{uri.Host}{port}{path}{query}";
    }
}
