using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Relay.Chat.Identity;

/// <summary>
/// Unicode compatibility folding (NFKD without marks) from a table generated out of the Unicode data
/// (<c>scripts/gen-compatibility-fold.py</c>). The process runs with InvariantGlobalization, where
/// <see cref="string.Normalize()"/> returns its input unchanged, so the framework cannot do this here.
/// </summary>
internal static class CompatibilityFold
{
    private const string ResourceName = "Relay.Chat.compatibility-fold.txt";

    private static readonly Lazy<FrozenDictionary<int, string>> Table = new(Load);

    /// <summary>What <paramref name="rune"/> folds to, or null when it stays as it is.</summary>
    public static string? Of(Rune rune) => Table.Value.TryGetValue(rune.Value, out var folded) ? folded : null;

    private static FrozenDictionary<int, string> Load()
    {
        using var stream = typeof(CompatibilityFold).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var table = new Dictionary<int, string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var (source, target) = (line[..line.IndexOf(';')], line[(line.IndexOf(';') + 1)..]);
            var folded = target.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Hex).ToArray();
            var range = source.Split("..");
            var (first, last) = (Hex(range[0]), Hex(range[^1]));
            for (var cp = first; cp <= last; cp++)
            {
                // A range folds to consecutive single code points: the n-th source to the first target plus n.
                table[cp] = range.Length == 1
                    ? string.Concat(folded.Select(char.ConvertFromUtf32))
                    : char.ConvertFromUtf32(folded[0] + (cp - first));
            }
        }
        return table.ToFrozenDictionary();
    }

    private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
