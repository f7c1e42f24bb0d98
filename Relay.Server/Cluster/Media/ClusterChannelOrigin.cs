using System.Net;
using System.Net.Http.Headers;
using Relay.Ingest.Consumers.HttpFlv;
using Relay.Ingest.Mirroring;
using Relay.Server.Access;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// Where a non-owner pulls a channel from: the lease names the owner, the owner's internal URL is the one it recorded
/// with the lease, and the pull is the owner's <see cref="HttpFlvEndpoints.MirrorOriginRoute"/> with the admin token
/// (every node of a cluster shares it).
/// </summary>
public sealed class ClusterChannelOrigin(IChannelLeaseStore store, ClusterNode node, AdminToken admin) : IChannelOrigin, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        // A pull is one long response; the connect timeout and the owner's end bound it.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<Stream?> OpenAsync(string channelId, CancellationToken cancellationToken)
    {
        var owner = await store.OwnerAsync(channelId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        if (owner is null || owner == node.Id)
        {
            return null;
        }

        var url = await store.NodeUrlAsync(owner).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"node {owner} recorded no internal URL");
        using var request = new HttpRequestMessage(HttpMethod.Get,
            url.TrimEnd('/') + HttpFlvEndpoints.MirrorOriginRoute.Replace("{channelId}", Uri.EscapeDataString(channelId), StringComparison.Ordinal));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin.Value);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // The owner has no publisher (it is letting go): not live.
                response.Dispose();
                return null;
            }

            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}
