namespace Relay.Ingest.Ffmpeg;

/// <summary>
/// The last N stderr lines of an ffmpeg process. A long-running process must not accumulate its whole stderr
/// (FFMpegCore's default does), and the tail is what explains an exit.
/// </summary>
public sealed class StderrTail(int capacity = 50)
{
    private readonly Lock _lock = new();
    private readonly Queue<string> _lines = new(capacity);

    public void Add(string line)
    {
        lock (_lock)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lock) return [.. _lines]; }
    }

    public override string ToString() => string.Join(Environment.NewLine, Lines);
}
