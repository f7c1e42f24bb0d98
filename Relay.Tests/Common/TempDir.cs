namespace Relay.Tests.Common;

/// <summary>A directory under /tmp that is removed when the test is done.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "relay-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A process that outlived its test may still hold a file; the OS cleans /tmp.
        }
    }
}
