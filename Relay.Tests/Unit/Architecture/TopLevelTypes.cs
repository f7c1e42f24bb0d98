using System.Text;
using System.Text.RegularExpressions;

namespace Relay.Tests.Unit.Architecture;

/// <summary>
/// The names of the types a C# file declares outside any other type, read from the text: comments, strings, character
/// literals and preprocessor lines are blanked first, then a declaration counts where it starts a statement at brace
/// depth zero (a block namespace's braces do not count).
/// </summary>
internal static partial class TopLevelTypes
{
    public static IReadOnlyList<string> In(string source)
    {
        var code = Blank(source);
        var names = new List<string>();
        var braces = new Stack<bool>(); // true: a namespace's brace
        var statementStart = 0;
        for (var i = 0; i <= code.Length; i++)
        {
            var depth = braces.Count(b => !b);
            if (depth == 0 && (i == 0 || ";{}]".Contains(code[i - 1])))
            {
                var match = Declaration().Match(code, i);
                if (match.Success) names.Add(match.Groups["name"].Value.TrimStart('@'));
            }
            if (i == code.Length) break;
            switch (code[i])
            {
                case '{':
                    braces.Push(NamespaceHeader().IsMatch(code[statementStart..i]));
                    statementStart = i + 1;
                    break;
                case '}':
                    if (braces.Count > 0) braces.Pop();
                    statementStart = i + 1;
                    break;
                case ';':
                    statementStart = i + 1;
                    break;
            }
        }
        return names;
    }

    /// <summary>The source with comments, string and character literals (interpolation holes included) and
    /// preprocessor lines replaced by spaces; line breaks stay.</summary>
    private static string Blank(string source)
    {
        var text = new StringBuilder(source);
        var i = 0;
        Code(source, text, ref i, inHole: false);
        return text.ToString();
    }

    private static void Code(string s, StringBuilder text, ref int i, bool inHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            if (c == '/' && next == '/') Erase(s, text, ref i, s.IndexOf('\n', i) is var end and >= 0 ? end : s.Length);
            else if (c == '/' && next == '*') Erase(s, text, ref i, s.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : s.Length);
            else if (c == '#' && s.LastIndexOf('\n', Math.Max(i - 1, 0)) is var lineStart && s[(lineStart + 1)..i].Trim().Length == 0)
                Erase(s, text, ref i, s.IndexOf('\n', i) is var end and >= 0 ? end : s.Length);
            else if (c == '\'') Character(s, text, ref i);
            else if (c == '"' || ((c == '$' || c == '@') && StringPrefix().Match(s, i) is { Success: true })) Literal(s, text, ref i);
            else
            {
                if (inHole && c == '{') depth++;
                if (inHole && c == '}' && depth-- == 0) return;
                i++;
            }
        }
    }

    private static void Character(string s, StringBuilder text, ref int i)
    {
        var end = i + 1;
        if (end < s.Length && s[end] == '\\') end += 2;
        else end++;
        while (end < s.Length && s[end] != '\'') end++;
        Erase(s, text, ref i, Math.Min(end + 1, s.Length));
    }

    private static void Literal(string s, StringBuilder text, ref int i)
    {
        var start = i;
        var prefix = StringPrefix().Match(s, i);
        var interpolated = prefix.Groups["dollars"].Length > 0;
        var verbatim = prefix.Value.Contains('@');
        var quotes = prefix.Groups["quotes"].Length;
        i = start + prefix.Length;
        if (quotes >= 3)
        {
            // Raw: ends at the same run of quotes; its holes hold no quote runs that long in this code base.
            var close = s.IndexOf(new string('"', quotes), i, StringComparison.Ordinal);
            i = close < 0 ? s.Length : close + quotes;
        }
        else
        {
            if (quotes == 2) { Erase(s, text, ref start, i); return; } // ""
            while (i < s.Length)
            {
                var c = s[i];
                if (!verbatim && c == '\\') i += 2;
                else if (verbatim && c == '"' && i + 1 < s.Length && s[i + 1] == '"') i += 2;
                else if (c == '"') { i++; break; }
                else if (interpolated && c == '{' && i + 1 < s.Length && s[i + 1] == '{') i += 2;
                else if (interpolated && c == '{') { i++; Code(s, text, ref i, inHole: true); i++; }
                else i++;
            }
        }
        var stop = Math.Min(i, s.Length);
        Erase(s, text, ref start, stop);
        i = stop;
    }

    private static void Erase(string s, StringBuilder text, ref int i, int end)
    {
        for (; i < end; i++)
        {
            if (s[i] != '\n') text[i] = ' ';
        }
    }

    [GeneratedRegex(@"\G(?<dollars>\$*)@?(?<dollars2>\$*)(?<quotes>""+)")]
    private static partial Regex StringPrefix();

    [GeneratedRegex(@"^\s*namespace\s+[\w.]+\s*$")]
    private static partial Regex NamespaceHeader();

    // Modifiers, then the kind, then the name: a delegate's name is the identifier before its type parameters or
    // parameter list. Attributes end with ']' and so start the next match.
    [GeneratedRegex(@"\G\s*(?:(?:public|internal|private|protected|file|sealed|static|abstract|partial|readonly|ref|unsafe|new)\s+)*(?:(?:record\s+(?:struct|class)|class|struct|interface|enum|record)\s+(?<name>@?[A-Za-z_]\w*)|delegate\s+[^;{(]*?(?<name>@?[A-Za-z_]\w*)\s*(?:<[^;{(]*>)?\s*\()")]
    private static partial Regex Declaration();
}
