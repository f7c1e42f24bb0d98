namespace Relay.Ingest.Srt;

/// <summary>
/// What an SRT caller asks for in its <c>streamid</c>: the app and the publish name (the stream key, perhaps with a
/// <c>?bandwidthtest</c> or <c>?test</c> suffix, as over RTMP). Two forms are accepted, as contract v2 says:
/// MediaMTX's <c>publish:live/KEY</c> and SRT's access-control form <c>#!::r=live/KEY,m=publish</c> (keys in any
/// order; <c>u</c>, <c>s</c>, <c>t</c>, <c>h</c> are allowed and ignored). Anything else, or a mode other than
/// publish (Relay plays nothing over SRT), is malformed.
/// </summary>
internal readonly record struct SrtStreamId(string App, string PublishName)
{
    /// <summary>Longest streamid libsrt carries (SRTO_STREAMID: 512 bytes).</summary>
    public const int MaxLength = 512;

    private const string PublishPrefix = "publish:";
    private const string AccessControlPrefix = "#!::";

    public static bool TryParse(string? streamId, out SrtStreamId parsed, out string error)
    {
        parsed = default;
        if (string.IsNullOrEmpty(streamId))
        {
            error = "no streamid (expected publish:APP/KEY)";
            return false;
        }

        if (streamId.Length > MaxLength)
        {
            error = $"streamid longer than {MaxLength} characters";
            return false;
        }

        string? resource;
        if (streamId.StartsWith(PublishPrefix, StringComparison.Ordinal))
        {
            resource = streamId[PublishPrefix.Length..];
        }
        else if (streamId.StartsWith(AccessControlPrefix, StringComparison.Ordinal))
        {
            if (!TryParseAccessControl(streamId[AccessControlPrefix.Length..], out resource, out error))
            {
                return false;
            }
        }
        else
        {
            error = "streamid is neither publish:APP/KEY nor #!::r=APP/KEY,m=publish";
            return false;
        }

        var slash = resource!.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            error = "streamid resource is not APP/KEY";
            return false;
        }

        parsed = new SrtStreamId(resource[..slash], resource[(slash + 1)..]);
        error = "";
        return true;
    }

    private static bool TryParseAccessControl(string body, out string? resource, out string error)
    {
        resource = null;
        string? mode = null;
        foreach (var pair in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "streamid #!:: entry without key=value";
                return false;
            }

            var value = pair[(equals + 1)..];
            switch (pair[..equals])
            {
                case "r":
                    resource = value;
                    break;
                case "m":
                    mode = value;
                    break;
                case "u" or "s" or "t" or "h":
                    break;
                default:
                    error = "streamid #!:: has an unknown key";
                    return false;
            }
        }

        if (resource is null)
        {
            error = "streamid #!:: has no r=APP/KEY";
            return false;
        }

        if (!string.Equals(mode, "publish", StringComparison.Ordinal))
        {
            error = "streamid #!:: mode is not m=publish (Relay only takes publishers over SRT)";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>Never prints the key (records print every member, and this ends up in logs).</summary>
    public override string ToString() => $"SrtStreamId {{ App = {App}, PublishName = **** }}";
}
