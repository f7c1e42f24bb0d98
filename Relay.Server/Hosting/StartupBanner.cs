using Relay.Server.Security;
using System.Text;
using Relay.Common.Files;
using Relay.Server.Access;
using Relay.Server.Apis;
using Relay.Server.Channels;
using Relay.Server.Configuration;

namespace Relay.Server.Hosting;

/// <summary>
/// What a newcomer needs after the run command: where OBS points, which pages to open.
/// Keys are printed only on the start that generated them; afterwards the banner says
/// where to get them, so they do not pile up in service logs. Where stdout is a log stream
/// (containers, systemd), <c>Relay:Banner</c> = <c>file</c> or <c>off</c> keeps even those out of it.
/// </summary>
public static class StartupBanner
{
    public const string FileName = "banner.txt";

    /// <summary>Sends the banner where <paramref name="mode"/> says; <paramref name="stdout"/> null = print nothing.</summary>
    public static async Task PublishAsync(string mode, string banner, string dataDir, TextWriter? stdout, CancellationToken ct)
    {
        switch (mode)
        {
            case BannerModes.Stdout:
                if (stdout is not null)
                {
                    await stdout.WriteAsync(banner);
                }
                break;
            case BannerModes.File:
                var path = Path.Combine(dataDir, FileName);
                await OwnerOnly.WriteAllTextAsync(path, banner, ct);
                if (stdout is not null)
                {
                    await stdout.WriteLineAsync($"Relay is running. The startup banner (addresses, and keys generated on this start) is in {path} (mode 600).");
                }
                break;
        }
    }

    public static string Render(string httpBase, PublicUrls urls, AdminToken admin, IReadOnlyCollection<ChannelDefinition> channels, IReadOnlyCollection<ChannelDefinition> newlyCreated)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("Relay is running.");
        sb.AppendLine($"  HTTP            {httpBase}   (API, pages, /metrics, /healthz, /readyz)");
        sb.AppendLine($"  OBS Server      {urls.IngestUrl(null)}");
        if (urls.SrtUrl(null) is { } srt)
        {
            sb.AppendLine($"  or over SRT     {srt}   (STREAM_KEY = the channel's stream key; OBS: the whole URL as Server, Stream Key empty)");
        }
        sb.AppendLine(admin.GeneratedNow
            ? $"  Admin token     {admin.Value}   (generated now, stored in {admin.Source}; shown only this once)"
            : $"  Admin token     from {admin.Source}");
        foreach (var c in channels)
        {
            var isNew = newlyCreated.Any(n => n.Id == c.Id);
            sb.AppendLine();
            sb.AppendLine($"  Channel '{c.Id}' ({c.Title})");
            if (isNew && !c.StreamKeyFromConfig)
            {
                sb.AppendLine($"    OBS Stream Key  {c.StreamKey}   (shown only on the start that created it)");
            }
            else
            {
                sb.AppendLine($"    OBS Stream Key  {Secrets.Redact(c.StreamKey)}   (reveal: GET /api/v1/channels/{c.Id}/stream-key, or the studio's copy button)");
            }
            if (isNew && !c.HostKeyFromConfig)
            {
                sb.AppendLine($"    Host key        {c.HostKey}");
            }
            sb.AppendLine($"    Watch page      {urls.WatchUrl(c.Id, null, httpBase)}");
            sb.AppendLine($"    Studio          {urls.StudioUrl(c.Id, null, httpBase)}");
        }
        sb.AppendLine();
        sb.AppendLine("  OBS: Settings > Stream > Service: Custom..., paste the Server and the Stream Key above.");
        return sb.ToString();
    }
}
