namespace Relay.Tests.Unit.Architecture;

/// <summary>
/// One type per file, named after it (docs/architecture.md, "Conventions"): a reader finds a type by its name, and a
/// file's history is one type's. Nested types are part of their type; partial parts live in <c>Type.Part.cs</c>; a
/// generic type's file drops the type parameters.
/// </summary>
public sealed class OneTypePerFileTests
{
    /// <summary>Files allowed to break the rule, each with its reason. Empty today: keep it that way if you can.</summary>
    private static readonly Dictionary<string, string> Exceptions = new(StringComparer.Ordinal);

    [Theory]
    [InlineData("Relay.Common")]
    [InlineData("Relay.Ingest")]
    [InlineData("Relay.Chat")]
    [InlineData("Relay.Server")]
    [InlineData("Relay.Tests/Common")]
    public void Every_file_declares_one_top_level_type_named_after_it(string folder)
    {
        var root = SourceTree.RepositoryRoot();
        var files = SourceTree.Files(folder).ToList();
        Assert.NotEmpty(files);
        var offenders = new List<string>();
        foreach (var file in files)
        {
            var path = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (Exceptions.ContainsKey(path)) continue;
            if (Problem(Path.GetFileName(file), TopLevelTypes.In(File.ReadAllText(file))) is { } problem) offenders.Add($"{path}: {problem}");
        }
        Assert.True(offenders.Count == 0, $"{offenders.Count} files break one type per file:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_exceptions_still_exist()
    {
        var root = SourceTree.RepositoryRoot();
        Assert.All(Exceptions.Keys, path => Assert.True(File.Exists(Path.Combine(root, path)), path + " is listed as an exception but is gone"));
    }

    [Fact]
    public void The_scan_sees_only_top_level_declarations()
    {
        // Guard against a scan that finds nothing (and so no offender) or that trips over what is not a declaration.
        const string source = """
            using System;

            namespace Sample;

            /// <summary>A class that mentions class Fake in its comment.</summary>
            [Obsolete("class Fake")]
            public sealed partial class Outer<T> : IDisposable where T : class, new()
            {
                private const string Text = "}{ class Fake";
                private const char Brace = '}';
                private readonly string _interpolated = $"{(true ? "}" : "{")} {{ record Fake }}";
                private readonly string _verbatim = @"a "" } class Fake";
                private readonly string _raw = \"\"\"
                    } class Fake {
                    \"\"\";
                /* } class Fake */
                private sealed record Nested(int Value);
                public void Dispose() { }
            }

            internal readonly record struct Second(int X);

            #if NEVER
            #endif
            public delegate void Third<TItem>(TItem item);

            enum Fourth { A, B }
            """;
        Assert.Equal(new[] { "Outer", "Second", "Third", "Fourth" }, TopLevelTypes.In(source.Replace("\\\"", "\"", StringComparison.Ordinal)));
        Assert.Equal(new[] { "Block" }, TopLevelTypes.In("namespace Sample.Block\n{\n    internal interface Block\n    {\n        void Do();\n    }\n}\n"));
    }

    [Theory]
    [InlineData("Widget.cs", new[] { "Widget" }, null)]
    [InlineData("Widget.Log.cs", new[] { "Widget" }, null)]
    [InlineData("Program.cs", new string[0], null)]
    [InlineData("Widget.cs", new[] { "Widget", "WidgetKind" }, "declares 2 top-level types: Widget, WidgetKind")]
    [InlineData("Widgets.cs", new[] { "Widget" }, "declares Widget, not Widgets")]
    public void A_file_is_judged_by_its_name(string fileName, string[] types, string? expected) =>
        Assert.Equal(expected, Problem(fileName, types));

    private static string? Problem(string fileName, IReadOnlyList<string> types)
    {
        var distinct = types.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > 1) return $"declares {distinct.Count} top-level types: {string.Join(", ", distinct)}";
        var expected = Path.GetFileNameWithoutExtension(fileName).Split('.')[0];
        return distinct.Count == 1 && distinct[0] != expected ? $"declares {distinct[0]}, not {expected}" : null;
    }
}
