namespace Relay.Common.Files;

/// <summary>
/// Files and directories that hold secrets (DataDir, admin-token, relay.db, the key ring, banner.txt) are created
/// readable by the owner only. The mode is given at creation (no write-then-chmod window in which another local user
/// could open the file), and a rewrite goes through a fresh file that replaces the old one.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the directory (and missing parents) with mode 700; an existing one is left as it is.</summary>
    public static DirectoryInfo CreateDirectory(string path) =>
        OperatingSystem.IsWindows() ? Directory.CreateDirectory(path) : Directory.CreateDirectory(path, DirectoryMode);

    /// <summary>Creates an empty file with mode 600 unless it exists (e.g. the SQLite database before SQLite opens it).</summary>
    public static void EnsureFile(string path)
    {
        try
        {
            using var _ = new FileStream(path, Options(System.IO.FileMode.CreateNew));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Already there: its mode is whatever it was created with.
        }
    }

    /// <summary>Writes the whole file as a new mode-600 file that then replaces <paramref name="path"/>.</summary>
    public static async Task WriteAllTextAsync(string path, string text, CancellationToken ct)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, Options(System.IO.FileMode.CreateNew)))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteAsync(text.AsMemory(), ct);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static FileStreamOptions Options(System.IO.FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        return options;
    }
}
