namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// Where a native push goes, split the way an RTMP client needs it: host/port for the socket, TLS for rtmps,
/// app and tcUrl for <c>connect</c>, the publish name for <c>publish</c>.
/// </summary>
public sealed record RtmpPushTarget(string Host, int Port, bool UseTls, string App, string TcUrl, string PublishName)
{
    public const int DefaultRtmpPort = 1935;
    public const int DefaultRtmpsPort = 443;

    /// <summary>
    /// Parses <c>rtmp(s)://host[:port]/app[/more]</c>. With a stream key, the whole path is the app and the key is the
    /// publish name (how OBS and the platforms combine "server" and "stream key"); without one, the last segment is.
    /// </summary>
    public static bool TryParse(string url, string? streamKey, out RtmpPushTarget? target, out string? error)
    {
        target = null;
        error = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("rtmp" or "rtmps"))
        {
            error = "url must be rtmp://host[:port]/app or rtmps://...";
            return false;
        }

        var tls = uri.Scheme == "rtmps";
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? DefaultRtmpsPort : DefaultRtmpPort) : uri.Port;
        var path = uri.AbsolutePath.Trim('/');
        string app;
        string name;
        if (!string.IsNullOrEmpty(streamKey))
        {
            app = path;
            name = streamKey;
        }
        else
        {
            var slash = path.LastIndexOf('/');
            if (slash <= 0)
            {
                error = "no stream key: set streamKey or end the url with /app/KEY";
                return false;
            }

            app = path[..slash];
            name = path[(slash + 1)..];
        }

        if (app.Length == 0)
        {
            error = "url has no app path (rtmp://host/app)";
            return false;
        }

        // Query strings belong to the publish name on the platforms that use them (e.g. Facebook's ?s_bl=...).
        if (uri.Query.Length > 1)
        {
            name += uri.Query;
        }

        var portPart = uri.IsDefaultPort ? "" : $":{uri.Port}";
        target = new RtmpPushTarget(uri.IdnHost, port, tls, app, $"{uri.Scheme}://{uri.Host}{portPart}/{app}", Uri.UnescapeDataString(name));
        return true;
    }

    public override string ToString() => $"{(UseTls ? "rtmps" : "rtmp")}://{Host}:{Port}/{App}/{UrlRedactor.Mask}";
}
