using System.Net;
using Microsoft.Extensions.Options;

namespace Relay.Server.Pages;

public sealed class PagesOptionsValidator : IValidateOptions<PagesOptions>
{
    public ValidateOptionsResult Validate(string? name, PagesOptions options)
    {
        var failures = new List<string>();
        var entries = options.FrameAncestors;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry is "'self'") continue;
            if (entry is "'none'")
            {
                if (entries.Count > 1) failures.Add($"{PagesOptions.Section}:FrameAncestors: 'none' cannot be listed with other entries");
                continue;
            }
            if (!IsOrigin(entry))
                failures.Add($"{PagesOptions.Section}:FrameAncestors:{i}: '{Shorten(entry)}' is not an origin: use https://host[:port] (http:// only on a loopback host), 'self' or 'none'");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>scheme://host[:port] with nothing after it (a trailing slash is tolerated).</summary>
    internal static bool IsOrigin(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Any(c => char.IsWhiteSpace(c) || c is ';' or ',' or '*' or '\'' or '"'))
            return false;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || uri.AbsolutePath != "/" || value.TrimEnd('/').Length != uri.GetLeftPart(UriPartial.Authority).Length)
            return false;
        return uri.Scheme == Uri.UriSchemeHttps
            || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))));
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length > 80 ? value[..80] + "…" : value;
}
