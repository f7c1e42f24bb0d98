namespace Relay.Ingest.Publishing;

/// <summary>
/// The stream key an encoder publishes with, and whether it asked for a test publish. OBS's bandwidth test (Settings,
/// Auto-Configuration Wizard) publishes with <c>KEY?bandwidthtest</c>, and other tools use <c>KEY?test</c>, so that a
/// server can run the publish without sending it anywhere: such a publish is a rehearsal of itself alone.
/// </summary>
public readonly record struct PublishName(string StreamKey, bool TestPublish)
{
    private static readonly string[] TestSuffixes = ["?bandwidthtest", "?test"];

    public static PublishName Parse(string name)
    {
        foreach (var suffix in TestSuffixes)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return new PublishName(name[..^suffix.Length], TestPublish: true);
            }
        }

        return new PublishName(name, TestPublish: false);
    }

    /// <summary>Never prints the key (records print every member, and names end up in logs).</summary>
    public override string ToString() => $"PublishName {{ StreamKey = ****, TestPublish = {TestPublish} }}";
}
