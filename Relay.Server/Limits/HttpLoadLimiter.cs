using System.Net;
using System.Threading.RateLimiting;
using Relay.Common.Limits;
using Relay.Common.Net;
using Relay.Ingest.Net;

namespace Relay.Server.Limits;

/// <summary>
/// The HTTP load limiter (applied by <see cref="LoadLimitsExtensions.UseRelayLoadLimits"/>): a concurrency limit per client address and one per
/// node for hub connections and HTTP-FLV viewers, a token bucket per client address for REST and hub negotiate. The
/// middleware holds the lease until the request ends, and a WebSocket, SSE or HTTP-FLV session is one long request,
/// so a lease is exactly one open connection. Which limit refused is left in <see cref="HttpContext.Items"/> for the
/// rejection handler (metrics, problem detail).
/// </summary>
internal sealed class HttpLoadLimiter : PartitionedRateLimiter<HttpContext>
{
    public const string RefusedLimitItem = "relay.limit";

    private static readonly RateLimitLease Unlimited = new NoLimitLease();

    private readonly LoadLimitsOptions _options;
    private readonly ClientLimiters<(LoadClass Class, IPAddress Client)> _perClient;
    private readonly ConcurrencyLimiter _hubsOnNode;
    private readonly ConcurrencyLimiter _flvOnNode;

    public HttpLoadLimiter(LoadLimitsOptions options, TimeProvider time)
    {
        _options = options;
        _perClient = new ClientLimiters<(LoadClass Class, IPAddress Client)>(key => key.Class switch
        {
            LoadClass.Hub => new ConcurrencyLimiter(Concurrency(options.HubConnectionsPerIp)),
            LoadClass.Flv => new ConcurrencyLimiter(Concurrency(options.FlvViewersPerIp)),
            _ => new RefillOnUseTokenBucket(Bucket(options.RestRequestsPerSecondPerIp, options.RestBurstPerIp), time),
        }, time);
        _hubsOnNode = new ConcurrencyLimiter(Concurrency(options.HubConnections));
        _flvOnNode = new ConcurrencyLimiter(Concurrency(options.FlvViewers));
    }

    public static LoadClass Classify(PathString path)
    {
        if (path.StartsWithSegments("/hubs/live", StringComparison.OrdinalIgnoreCase, out var rest))
        {
            // Negotiate is a short request that allocates a connection id: a request rate, not an open connection.
            return rest.StartsWithSegments("/negotiate", StringComparison.OrdinalIgnoreCase) ? LoadClass.Rest : LoadClass.Hub;
        }

        if (path.StartsWithSegments("/live", StringComparison.OrdinalIgnoreCase) && path.Value!.EndsWith(".flv", StringComparison.OrdinalIgnoreCase))
        {
            return LoadClass.Flv;
        }

        return path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? LoadClass.Rest : LoadClass.None;
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var kind = Classify(resource.Request.Path);
        var peer = resource.Connection.RemoteIpAddress;
        if (kind == LoadClass.None || peer is null || (_options.ExemptLoopback && IPAddress.IsLoopback(peer)))
        {
            return Unlimited;
        }

        var client = ClientAddressKey.Of(peer);
        var own = _perClient.AttemptAcquire((kind, client), permitCount);
        if (!own.IsAcquired)
        {
            resource.Items[RefusedLimitItem] = kind switch
            {
                LoadClass.Hub => LoadLimitMetrics.HubPerIp,
                LoadClass.Flv => LoadLimitMetrics.FlvPerIp,
                _ => LoadLimitMetrics.RestPerIp,
            };
            return own;
        }

        if (kind == LoadClass.Rest)
        {
            return own;
        }

        var node = (kind == LoadClass.Hub ? _hubsOnNode : _flvOnNode).AttemptAcquire(permitCount);
        if (!node.IsAcquired)
        {
            own.Dispose();
            resource.Items[RefusedLimitItem] = kind == LoadClass.Hub ? LoadLimitMetrics.HubTotal : LoadLimitMetrics.FlvTotal;
            return node;
        }

        return new PairLease(own, node);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _perClient.Dispose();
            _hubsOnNode.Dispose();
            _flvOnNode.Dispose();
        }

        base.Dispose(disposing);
    }

    private static ConcurrencyLimiterOptions Concurrency(int permits) => new()
    {
        PermitLimit = permits,
        QueueLimit = 0,
    };

    private static TokenBucketRateLimiterOptions Bucket(double perSecond, int burst)
    {
        // No timer: each acquisition refills the bucket by the time elapsed (perSecond, pro rata), so a client that
        // spent its burst gets requests back smoothly, not once a period.
        var period = perSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1 / perSecond);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = Math.Max(1, (int)Math.Round(perSecond * period.TotalSeconds)),
            ReplenishmentPeriod = period,
            AutoReplenishment = false,
            QueueLimit = 0,
        };
    }

    private sealed class PairLease(RateLimitLease first, RateLimitLease second) : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                second.Dispose();
                first.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class NoLimitLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
