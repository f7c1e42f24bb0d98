namespace Relay.Common.Files;

/// <summary>
/// <c>Relay:DataDir</c>, resolved by one rule for the host and both planes (relay.db, the key ring, the admin token,
/// HLS segments, recordings, ffmpeg PID files): unset or empty means <c>./data</c> under the working directory, and a
/// relative path is taken from the working directory at start.
/// </summary>
public static class DataDirectory
{
    public const string ConfigurationKey = "Relay:DataDir";

    public const string DefaultPath = "./data";

    /// <summary>The full path of the configured DataDir.</summary>
    public static string Resolve(string? configured) => Path.GetFullPath(string.IsNullOrEmpty(configured) ? DefaultPath : configured);

    /// <summary>
    /// Creates DataDir (and missing parents) with mode 700 if needed, leaves an existing one as it is, and proves it
    /// writable. Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when it cannot be used.
    /// </summary>
    public static string Ensure(string? configured)
    {
        var full = Resolve(configured);
        OwnerOnly.CreateDirectory(full);
        var probe = Path.Combine(full, $".write-test-{Environment.ProcessId}");
        File.WriteAllText(probe, "ok");
        File.Delete(probe);
        return full;
    }
}
