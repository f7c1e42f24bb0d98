namespace Relay.Server.Pages;

/// <summary>`Relay:Pages`: how the pages may be embedded.</summary>
public sealed class PagesOptions
{
    public const string Section = "Relay:Pages";

    /// <summary>The shop origins allowed to frame the watch page (its `Content-Security-Policy: frame-ancestors`), and the
    /// only origins whose `relay:token` messages it takes: `https://` origins (`http://` only on a loopback host) or
    /// `'self'`. Empty or `'none'` (the default) = nobody frames it. The other pages are never framed.</summary>
    public List<string> FrameAncestors { get; set; } = [];

    /// <summary>The entries that allow someone (no `'none'`), normalised (origins lower case, no trailing slash).</summary>
    public IReadOnlyList<string> Allowed() =>
        FrameAncestors.Where(a => a is { Length: > 0 } && a != "'none'")
            .Select(a => a == "'self'" ? a : new Uri(a).GetLeftPart(UriPartial.Authority).ToLowerInvariant())
            .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The value of the watch page's `frame-ancestors` directive.</summary>
    public string Directive() => Allowed() is { Count: > 0 } allowed ? string.Join(' ', allowed) : "'none'";
}
