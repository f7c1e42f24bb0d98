using System.Text;
using Microsoft.Extensions.Options;
using Relay.Server.Channels;

namespace Relay.Server.Configuration;

/// <summary>
/// Checks everything under <c>Relay</c> that the host owns and reports every problem at once,
/// each as "<c>Relay:Key:Path: what is wrong</c>".
/// </summary>
public sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("Relay:DataDir: must be a directory path");
        }
        if (options.PublicHost.Length > 0 && Uri.CheckHostName(options.PublicHost) == UriHostNameType.Unknown)
        {
            failures.Add($"Relay:PublicHost: '{options.PublicHost}' is not a host name or IP address");
        }
        if (options.PublicBaseUrl.Length > 0 && PublicBaseUrlProblem(options.PublicBaseUrl) is { } problem)
        {
            failures.Add($"Relay:PublicBaseUrl: '{options.PublicBaseUrl}' {problem}");
        }
        if (!BannerModes.All.Contains(options.Banner, StringComparer.Ordinal))
        {
            failures.Add($"Relay:Banner: '{options.Banner}' is not one of {string.Join(", ", BannerModes.All)}");
        }
        if (options.Metrics.Token is { Length: > 0 } token && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            failures.Add("Relay:Metrics:Token: must be at least 16 characters without spaces (or unset to leave /metrics open)");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Channels.Count; i++)
        {
            var c = options.Channels[i];
            var at = $"Relay:Channels:{i}:";
            var errors = new List<FieldError>();
            InputRules.CheckId(c.Id, "id", errors);
            InputRules.CheckTitle(c.Title, "title", errors);
            InputRules.CheckSecret(c.StreamKey, "streamKey", errors);
            InputRules.CheckSecret(c.HostKey, "hostKey", errors);
            if (c.Id is not null && InputRules.IsValidId(c.Id) && !ids.Add(c.Id))
            {
                errors.Add(new("id", $"duplicate channel id '{c.Id}'"));
            }
            if (c.StreamKey is { Length: > 0 } sk && !keys.Add(sk))
            {
                errors.Add(new("streamKey", "the same stream key is used by another channel"));
            }
            var destIds = new HashSet<string>(StringComparer.Ordinal);
            for (var d = 0; d < c.Destinations.Count; d++)
            {
                var dest = c.Destinations[d];
                var dat = $"destinations[{d}].";
                InputRules.CheckId(dest.Id, dat + "id", errors);
                if (dest.Id is not null && !destIds.Add(dest.Id))
                {
                    errors.Add(new(dat + "id", $"duplicate destination id '{dest.Id}'"));
                }
                InputRules.CheckDestination(dest.Name, dest.Platform, dest.Url, dest.StreamKey, dest.Engine, dest.Profile, dat, errors);
                if (Relay.Ingest.Egress.EgressDestinationValidator.TrackIdProblem(dest.TrackId) is { } trackProblem)
                {
                    errors.Add(new(dat + "trackId", trackProblem));
                }
            }
            if (c.Lineup is not null)
            {
                InputRules.CheckLineup(c.Lineup.Select(i => i?.ToLineupItem()).ToList(), "lineup", errors);
            }
            failures.AddRange(errors.Select(e => $"{at}{ToConfigKey(e.Field)}: {e.Message}"));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary><c>destinations[1].profile.fps</c> becomes <c>Destinations:1:Profile:Fps</c>.</summary>
    public static string ToConfigKey(string field)
    {
        var sb = new StringBuilder();
        foreach (var part in field.Replace("[", ".").Replace("]", "").Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (sb.Length > 0)
            {
                sb.Append(':');
            }
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }
        return sb.ToString();
    }

    /// <summary>
    /// What is wrong with a public base URL, or null. The pages load their scripts from the root (/js, /hubs), so Relay
    /// cannot be mounted under a path of the proxy: only a scheme, a host and an optional port.
    /// </summary>
    internal static string? PublicBaseUrlProblem(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute http:// or https:// URL, e.g. https://live.brand.example";
        }
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return "must be a scheme, a host and an optional port only (no path, query or user): Relay is served from the root of its host";
        }
        return null;
    }
}
