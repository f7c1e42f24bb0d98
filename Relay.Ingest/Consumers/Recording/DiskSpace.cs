namespace Relay.Ingest.Consumers.Recording;

/// <summary>Free space of the file systems that hold the given folders (the smallest of them).</summary>
internal static class DiskSpace
{
    /// <summary>Bytes available to this process on the fullest of the folders' file systems; null when none can be read.</summary>
    public static long? FreeBytes(params string[] folders)
    {
        long? least = null;
        foreach (var folder in folders)
        {
            // A folder not created yet lives on its parent's file system.
            var existing = folder;
            while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { Length: > 0 } parent)
            {
                existing = parent;
            }

            try
            {
                // On Unix, DriveInfo takes any path and reads the file system that holds it (statvfs).
                var free = new DriveInfo(existing).AvailableFreeSpace;
                least = least is null ? free : Math.Min(least.Value, free);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Unreadable: judged by the others (or not at all).
            }
        }

        return least;
    }
}
