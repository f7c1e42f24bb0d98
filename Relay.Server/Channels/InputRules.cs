using System.Text.RegularExpressions;
using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Platforms;

namespace Relay.Server.Channels;

/// <summary>
/// The rules every channel, destination and line-up input obeys, whether it comes from
/// configuration or from the REST API, so both reject the same things with the same words.
/// </summary>
public static partial class InputRules
{
    public const int MaxTitleLength = 200;
    public const int MaxNameLength = 100;
    public const int MaxUrlLength = 2048;
    public const int MaxKeyLength = 512;
    public const int MaxLineupItems = 500;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex SkuPattern();

    public const string IdRule = "must be 1-64 characters: lowercase letters, digits, '-' or '_', starting with a letter or digit";

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static void CheckId(string? id, string field, List<FieldError> errors)
    {
        if (!IsValidId(id))
        {
            errors.Add(new(field, IdRule));
        }
    }

    public static void CheckTitle(string? title, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            errors.Add(new(field, "is required"));
        }
        else if (title.Length > MaxTitleLength)
        {
            errors.Add(new(field, $"must be at most {MaxTitleLength} characters"));
        }
    }

    /// <summary>How far ahead a next show may be announced: further is a typo (a year off), not a plan.</summary>
    public static readonly TimeSpan MaxNextShowAhead = TimeSpan.FromDays(366);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex InstantPattern();

    /// <summary>
    /// A next show's time: ISO 8601 with its time zone (a time without one means a different instant to every reader),
    /// after <paramref name="now"/> and at most <see cref="MaxNextShowAhead"/> later. Kept to the second, in UTC.
    /// </summary>
    public static DateTimeOffset? CheckNextShowAt(string text, DateTimeOffset now, string field, List<FieldError> errors)
    {
        if (!InstantPattern().IsMatch(text)
            || !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
        {
            errors.Add(new(field, "must be an ISO 8601 time with a time zone, e.g. 2026-12-24T20:00:00+08:00, or null"));
            return null;
        }
        at = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (at <= now)
        {
            errors.Add(new(field, "must be in the future"));
            return null;
        }
        if (at > now + MaxNextShowAhead)
        {
            errors.Add(new(field, "must be within a year from now"));
            return null;
        }
        return at;
    }

    /// <summary>Shortest stream or host key accepted from configuration; generated keys have 192 random bits.</summary>
    public const int MinConfiguredKeyLength = 16;

    public static void CheckSecret(string? key, string field, List<FieldError> errors)
    {
        if (key is null)
        {
            return;
        }
        if (key.Length is < MinConfiguredKeyLength or > MaxKeyLength || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(new(field, $"must be {MinConfiguredKeyLength}-{MaxKeyLength} characters without spaces (or unset to generate one)"));
        }
    }

    public static void CheckDestination(
        string? name, string? platform, string? url, string? streamKey, string? engine,
        EgressProfile? profile, string prefix, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new(prefix + "name", "is required"));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new(prefix + "name", $"must be at most {MaxNameLength} characters"));
        }

        var preset = PlatformCatalog.Find(platform);
        if (preset is null)
        {
            errors.Add(new(prefix + "platform", $"must be one of {PlatformCatalog.KnownIds}"));
        }

        var effectiveUrl = string.IsNullOrWhiteSpace(url) ? preset?.DefaultUrl : url;
        if (string.IsNullOrWhiteSpace(effectiveUrl))
        {
            if (preset is not null)
            {
                errors.Add(new(prefix + "url", $"is required for platform '{preset.Id}' ({PlatformCatalog.UrlHint(preset)})"));
            }
        }
        else
        {
            CheckPushUrl(effectiveUrl, preset, prefix + "url", errors);
        }

        // No whitespace either: a key is one publish name, and RTMP tooling splits option strings on spaces (librtmp).
        if (streamKey is not null && (streamKey.Length > MaxKeyLength || streamKey.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            errors.Add(new(prefix + "streamKey", $"must be at most {MaxKeyLength} characters without spaces or control characters"));
        }

        // Engine and profile rules are the egress's own; they are reported beside every other problem.
        AddPrefixed(EgressDestinationValidator.ValidateSettings(engine ?? EgressEngines.Auto, profile), prefix, errors);

        if (errors.Count == 0 && preset is not null)
        {
            // The egress has the last word on the address: what it cannot push is refused here, not discovered live.
            var candidate = new EgressDestination("candidate", name!, preset.Id, effectiveUrl!, streamKey, true, profile, engine ?? EgressEngines.Auto);
            AddPrefixed(EgressDestinationValidator.Validate(candidate), prefix, errors);
        }
    }

    private static void AddPrefixed(IReadOnlyList<(string Field, string Message)> problems, string prefix, List<FieldError> errors)
    {
        foreach (var (field, message) in problems)
        {
            errors.Add(new(prefix + field, message));
        }
    }

    public static void CheckPushUrl(string url, PlatformPreset? preset, string field, List<FieldError> errors)
    {
        if (url.Length > MaxUrlLength)
        {
            errors.Add(new(field, $"must be at most {MaxUrlLength} characters"));
            return;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("rtmp" or "rtmps") || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new(field, "must be an rtmp:// or rtmps:// URL with a host, e.g. rtmp://live.example.com/app"));
            return;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add(new(field, "must not carry credentials; put the key in streamKey"));
            return;
        }
        if (uri.AbsolutePath.Trim('/').Length == 0)
        {
            errors.Add(new(field, "must name the application path, e.g. rtmp://host/app"));
            return;
        }
        if (preset is { RequiresTls: true } && uri.Scheme != "rtmps")
        {
            errors.Add(new(field, $"must use rtmps:// for platform '{preset.Id}'"));
        }
    }

    public static void CheckLineup(IReadOnlyList<LineupItem?>? items, string prefix, List<FieldError> errors)
    {
        if (items is null)
        {
            errors.Add(new(prefix.TrimEnd('.') is { Length: > 0 } p ? p : "body", "must be a JSON array of products"));
            return;
        }
        if (items.Count > MaxLineupItems)
        {
            errors.Add(new(prefix.TrimEnd('.') is { Length: > 0 } p ? p : "body", $"must have at most {MaxLineupItems} products"));
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var at = $"{prefix}[{i}].";
            var item = items[i];
            if (item is null)
            {
                errors.Add(new($"{prefix}[{i}]", "must be an object"));
                continue;
            }
            if (item.Sku is null || !SkuPattern().IsMatch(item.Sku))
            {
                errors.Add(new(at + "sku", "must be 1-64 characters: letters, digits, '.', '-' or '_'"));
            }
            else if (!seen.Add(item.Sku))
            {
                errors.Add(new(at + "sku", $"'{item.Sku}' appears more than once"));
            }
            CheckTitle(item.Title, at + "title", errors);
            if (item.PriceCents is < 0 or > 100_000_000_00)
            {
                errors.Add(new(at + "priceCents", "must be between 0 and 10000000000"));
            }
            if (item.Currency is null || !CurrencyPattern().IsMatch(item.Currency))
            {
                errors.Add(new(at + "currency", "must be a 3-letter ISO 4217 code in capitals, e.g. USD"));
            }
            if (item.ImageUrl is not null && !IsImageUrl(item.ImageUrl))
            {
                errors.Add(new(at + "imageUrl", "must be an http(s) URL or a path starting with '/' (without '\\')"));
            }
            if (item.Stock is < 0)
            {
                errors.Add(new(at + "stock", "must be 0 or more, or null for unlimited"));
            }
            if (item.MemberPriceCents is { } member && (member < 0 || member > item.PriceCents))
            {
                errors.Add(new(at + "memberPriceCents", "must be between 0 and the regular price (priceCents), or null for none"));
            }
        }
    }

    // Browsers read '\' in a URL as '/', so "/\evil.example/x.png" would load from another host: a path has none.
    private static bool IsImageUrl(string url) =>
        url.Length <= MaxUrlLength
        && ((url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\'))
            || (Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"));

    /// <summary>A lowercase id derived from a title, for channels created without one.</summary>
    public static string Slug(string title)
    {
        var chars = title.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        if (slug.Length > 40)
        {
            slug = slug[..40].TrimEnd('-');
        }
        return slug.Length == 0 ? "channel" : slug;
    }
}
