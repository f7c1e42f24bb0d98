using System.Text.Json;
using System.Text.RegularExpressions;
using Relay.Server.Pages;

namespace Relay.Tests.Unit.Server.Pages;

/// <summary>
/// The pages' string tables (wwwroot/i18n/*.js, strict JSON after "export default"): every key in every language,
/// the same placeholders in each translation, and every key the markup and scripts name exists.
/// </summary>
public sealed partial class StringTableTests
{
    private static readonly string I18nDir = Path.Combine(PagesEndpoints.WebRoot, "i18n");

    internal static IReadOnlyDictionary<string, string> Table(string language)
    {
        var text = File.ReadAllText(Path.Combine(I18nDir, language + ".js"));
        var start = text.LastIndexOf("export default {", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{language}.js has no 'export default {{'");
        var json = text[(start + "export default".Length)..].Trim().TrimEnd(';');
        return JsonSerializer.Deserialize<Dictionary<string, string>>(json)
            ?? throw new InvalidOperationException($"{language}.js is empty");
    }

    [Fact]
    public void Every_key_exists_in_both_languages_with_the_same_placeholders()
    {
        var en = Table("en");
        var zh = Table("zh-CN");
        Assert.Empty(en.Keys.Except(zh.Keys).Order());
        Assert.Empty(zh.Keys.Except(en.Keys).Order());
        foreach (var (key, english) in en)
        {
            Assert.True(Placeholders(english).SetEquals(Placeholders(zh[key])), $"{key}: placeholders differ between en and zh-CN");
            Assert.False(string.IsNullOrWhiteSpace(zh[key]), $"{key} is empty in zh-CN");
        }
    }

    [Fact]
    public void Every_key_the_pages_name_exists()
    {
        var en = Table("en");
        var missing = new SortedSet<string>();
        foreach (var file in Directory.EnumerateFiles(PagesEndpoints.WebRoot, "*.*", SearchOption.AllDirectories)
                     .Where(f => (f.EndsWith(".html") || f.EndsWith(".js")) && !f.Contains($"{Path.DirectorySeparatorChar}lib{Path.DirectorySeparatorChar}")))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in MarkupKey().Matches(text)) Check(m.Groups["key"].Value, file);
            foreach (Match m in ScriptKey().Matches(text)) Check(m.Groups["key"].Value, file);
        }
        Assert.Empty(missing);

        void Check(string key, string file)
        {
            if (!en.ContainsKey(key)) missing.Add($"{Path.GetFileName(file)}: {key}");
        }
    }

    private static HashSet<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value)];

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"data-i18n(?:-[a-z-]+)?=""(?<key>[A-Za-z0-9_.-]+)""")]
    private static partial Regex MarkupKey();

    // t("key") / t('key') with a literal key; computed keys (t(`buy.${status}`)) are checked by the browser tests.
    [GeneratedRegex("""\bt\(\s*["'](?<key>[A-Za-z0-9_.-]+)["']""")]
    private static partial Regex ScriptKey();
}
