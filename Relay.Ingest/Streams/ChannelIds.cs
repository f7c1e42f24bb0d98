using System.Text.RegularExpressions;

namespace Relay.Ingest.Streams;

/// <summary>What a channel id must look like before a consumer turns it into a folder or file name (HLS, recordings).</summary>
public static partial class ChannelIds
{
    /// <summary>Channel ids become folder names; anything else than the API's id alphabet is refused.</summary>
    public static bool IsSafe(string? channelId) => channelId is not null && ChannelIdName().IsMatch(channelId);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelIdName();
}
