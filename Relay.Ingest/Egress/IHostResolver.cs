using System.Net;

namespace Relay.Ingest.Egress;

/// <summary>Name resolution, behind an interface so tests decide what a name resolves to (DNS rebinding included).</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
