namespace Relay.Tests.Common.Hosts;

/// <summary>
/// One node of a <see cref="ClusterTestBed"/>: a <see cref="ChildRelay"/> with fixed ports and its own data folder, so
/// <see cref="KillAsync"/> then <see cref="RestartAsync"/> is the same node coming back, as systemd or Kubernetes would.
/// </summary>
internal sealed class ClusterTestNode : IAsyncDisposable
{
    private readonly ClusterTestBed _bed;
    private readonly string[] _extra;
    private readonly TempDir _dataDir;

    private ClusterTestNode(ClusterTestBed bed, string id, string[] extra)
    {
        _bed = bed;
        Id = id;
        _extra = extra;
        _dataDir = new TempDir($"relay-{id}");
        HttpPort = FreePort.Next();
        RtmpPort = FreePort.Next();
    }

    public string Id { get; }

    public int HttpPort { get; }

    public int RtmpPort { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}");

    public ChildRelay Relay { get; private set; } = null!;

    /// <summary>Errors the test provokes on purpose on this node (kept across restarts).</summary>
    public List<string> AllowedErrors { get; } = [];

    internal static async Task<ClusterTestNode> StartAsync(ClusterTestBed bed, string id, string[] extra)
    {
        var node = new ClusterTestNode(bed, id, extra);
        try
        {
            await node.RestartAsync();
            return node;
        }
        catch
        {
            node._dataDir.Dispose();
            throw;
        }
    }

    public HttpClient Admin() => ChildRelay.Admin(HttpPort);

    /// <summary><c>kill -9</c>: no shutdown, leases and registry entries left to expire.</summary>
    public Task KillAsync()
    {
        Relay.Kill();
        return Task.CompletedTask;
    }

    /// <summary>Starts the node (again) on the same ports and folder, and waits for <c>/readyz</c>.</summary>
    public async Task RestartAsync()
    {
        if (Relay is not null)
        {
            await Relay.DisposeAsync();
        }

        Relay = await ChildRelay.StartAsync(_dataDir.Path, HttpPort, RtmpPort, [.. _bed.NodeArguments(Id, HttpPort), .. _extra]);
        Relay.AllowedErrors.AddRange(AllowedErrors);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Relay is not null)
            {
                Relay.AllowedErrors.AddRange(AllowedErrors);
                await Relay.DisposeAsync();
            }
        }
        finally
        {
            _dataDir.Dispose();
        }
    }
}
