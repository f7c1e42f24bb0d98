namespace Relay.Tests.Unit.Architecture;

/// <summary>The repository's C# sources as the architecture tests read them: by project folder, without build output.</summary>
internal static class SourceTree
{
    public static IEnumerable<string> Files(string folder)
    {
        var dir = Path.Combine(RepositoryRoot(), folder);
        Assert.True(Directory.Exists(dir), dir + " not found");
        return Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Relay.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return dir.FullName;
    }
}
