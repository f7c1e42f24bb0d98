using System.Net;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Gateway;

/// <summary>
/// Bounds what unauthenticated connections may cost: pending connections per IP and in total, and a growing
/// wait per IP after repeated bad keys (brute-force guard). Thread-safe; time comes from a <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ConnectionLimiter(IngestOptions options, TimeProvider time)
{
    /// <summary>Failure records older than this are forgotten, so a typo an hour ago costs nothing now.</summary>
    private static readonly TimeSpan FailureMemory = TimeSpan.FromMinutes(15);
    private const int MaxTrackedAddresses = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _pendingPerIp = [];
    private readonly Dictionary<IPAddress, FailureRecord> _failures = [];
    private int _pending;

    /// <summary>Admits a new connection as pending, or returns the reason it is refused.</summary>
    public string? TryAdmit(IPAddress address, out PendingLease? lease)
    {
        lease = null;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_failures.TryGetValue(address, out var failure) && failure.BlockedUntil > now)
            {
                return PublishRejectReason.RateLimited;
            }

            _pendingPerIp.TryGetValue(address, out var perIp);
            if (_pending >= options.MaxPendingConnections || perIp >= options.MaxPendingConnectionsPerIp)
            {
                return PublishRejectReason.TooManyConnections;
            }

            _pending++;
            _pendingPerIp[address] = perIp + 1;
            IngestMetrics.GatewayPendingConnections.Set(_pending);
        }

        lease = new PendingLease(this, address);
        return null;
    }

    /// <summary>
    /// A bad key: after <see cref="IngestOptions.FailedAuthAttemptsBeforeBackoff"/> distinct ones, the IP waits
    /// 1 s, 2 s, 4 s, ... up to the cap. The same wrong key again does not count twice: an encoder retrying a
    /// rotated key (OBS reconnects on its own) is a stale setting, not a guess, and must not lock out the
    /// advisor's corrected encoder or other encoders behind the same NAT. Guessing needs distinct keys.
    /// </summary>
    public void RecordAuthFailure(IPAddress address, string? presentedKey = null)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_failures.TryGetValue(address, out var record) || now - record.LastFailure > FailureMemory)
            {
                if (_failures.Count >= MaxTrackedAddresses)
                {
                    PruneFailures(now);
                }

                record = new FailureRecord();
            }

            record.LastFailure = now;
            if (presentedKey is not null && !record.RememberKey(presentedKey))
            {
                _failures[address] = record;
                return;
            }

            record.Count++;
            record.LastFailure = now;
            var over = record.Count - options.FailedAuthAttemptsBeforeBackoff;
            if (over >= 0)
            {
                var seconds = Math.Min(options.MaxAuthBackoffSeconds, Math.Pow(2, Math.Min(over, 30)));
                record.BlockedUntil = now + TimeSpan.FromSeconds(seconds);
            }

            _failures[address] = record;
        }
    }

    public void RecordAuthSuccess(IPAddress address)
    {
        lock (_lock)
        {
            _failures.Remove(address);
        }
    }

    private void Release(IPAddress address)
    {
        lock (_lock)
        {
            _pending--;
            if (_pendingPerIp.TryGetValue(address, out var count) && count > 1)
            {
                _pendingPerIp[address] = count - 1;
            }
            else
            {
                _pendingPerIp.Remove(address);
            }

            IngestMetrics.GatewayPendingConnections.Set(_pending);
        }
    }

    private void PruneFailures(DateTimeOffset now)
    {
        foreach (var (address, record) in _failures.ToList())
        {
            if (now - record.LastFailure > FailureMemory && record.BlockedUntil <= now)
            {
                _failures.Remove(address);
            }
        }

        // Still full (a distributed attack): forget the oldest half rather than grow.
        if (_failures.Count >= MaxTrackedAddresses)
        {
            foreach (var (address, _) in _failures.OrderBy(f => f.Value.LastFailure).Take(_failures.Count / 2).ToList())
            {
                _failures.Remove(address);
            }
        }
    }

    private sealed class FailureRecord
    {
        private const int MaxRememberedKeys = 32;
        private readonly HashSet<long> _keyHashes = [];

        public int Count;
        public DateTimeOffset LastFailure;
        public DateTimeOffset BlockedUntil;

        /// <summary>
        /// True when this key was not seen failing before. Only a truncated hash is kept, never the key; past
        /// the bound every key counts, so a guesser cannot hide behind a full set.
        /// </summary>
        public bool RememberKey(string key)
        {
            Span<byte> hash = stackalloc byte[32];
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), hash);
            var id = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(hash);
            return _keyHashes.Count >= MaxRememberedKeys ? !_keyHashes.Contains(id) : _keyHashes.Add(id);
        }
    }

    /// <summary>Holds one pending slot until the publish is authorized or the connection ends.</summary>
    internal sealed class PendingLease(ConnectionLimiter owner, IPAddress address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(address);
            }
        }
    }
}
