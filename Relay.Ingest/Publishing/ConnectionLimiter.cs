using System.Net;
using Relay.Common.Net;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Net;

namespace Relay.Ingest.Publishing;

/// <summary>
/// Bounds what unauthenticated connections may cost: pending connections per client address and in total, and a
/// slowed key check per address after repeated bad keys (brute-force guard). Addresses are counted by
/// <see cref="ClientAddressKey"/> (IPv6 by /64). A full pool never refuses the newcomer: it evicts the oldest pending
/// connection of the address holding the most, so idle connections from a few addresses cannot lock out an encoder.
/// Thread-safe; time comes from a <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ConnectionLimiter(IngestOptions options, TimeProvider time)
{
    /// <summary>Failure records older than this are forgotten, so a typo an hour ago costs nothing now.</summary>
    private static readonly TimeSpan FailureMemory = TimeSpan.FromMinutes(15);
    private const int MaxTrackedAddresses = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, LinkedList<PendingLease>> _pendingPerIp = [];
    private readonly Dictionary<IPAddress, FailureRecord> _failures = [];
    private int _pending;

    /// <summary>
    /// Admits a new connection as pending. When its address or the whole pool is at the limit, the oldest pending
    /// connection of its address (or of the address with the most pending connections) is evicted first: its
    /// <see cref="PendingLease.Evicted"/> token fires and it is refused as <c>too_many_connections</c>.
    /// </summary>
    public PendingLease Admit(IPAddress address)
    {
        var key = ClientAddressKey.Of(address);
        PendingLease? evicted = null;
        var lease = new PendingLease(this, key);
        lock (_lock)
        {
            _pendingPerIp.TryGetValue(key, out var own);
            if (own is not null && own.Count >= options.MaxPendingConnectionsPerIp)
            {
                evicted = own.First!.Value;
            }
            else if (_pending >= options.MaxPendingConnections)
            {
                // The address with the most pending connections; among equals, the one holding the oldest.
                LinkedList<PendingLease>? busiest = null;
                foreach (var list in _pendingPerIp.Values)
                {
                    if (busiest is null || list.Count > busiest.Count || (list.Count == busiest.Count && list.First!.Value.Admitted < busiest.First!.Value.Admitted))
                    {
                        busiest = list;
                    }
                }

                evicted = busiest?.First?.Value;
            }

            if (evicted is not null)
            {
                RemoveLocked(evicted);
            }

            if (own is null || own.Count == 0)
            {
                own = new LinkedList<PendingLease>();
                _pendingPerIp[key] = own;
            }

            lease.Admitted = time.GetTimestamp();
            lease.Node = own.AddLast(lease);
            _pending++;
            IngestMetrics.GatewayPendingConnections.Set(_pending);
        }

        // Outside the lock: cancellation runs the evicted connection's callbacks.
        evicted?.Evict();
        return lease;
    }

    /// <summary>
    /// How long a key check from this address is held back: the rest of its brute-force wait, at most
    /// <see cref="IngestOptions.BlockedKeyCheckDelaySeconds"/>. Zero for an address without recent bad keys.
    /// </summary>
    public TimeSpan KeyCheckDelay(IPAddress address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_failures.TryGetValue(ClientAddressKey.Of(address), out var failure) || failure.BlockedUntil <= now)
            {
                return TimeSpan.Zero;
            }

            var rest = failure.BlockedUntil - now;
            // Never more than half the handshake deadline: a held-back right key must still make it in time.
            var cap = TimeSpan.FromSeconds(Math.Min(options.BlockedKeyCheckDelaySeconds, options.HandshakeTimeoutSeconds / 2));
            return rest < cap ? rest : cap;
        }
    }

    /// <summary>True while the address is in its brute-force wait (its bad keys are refused as <c>rate_limited</c>).</summary>
    public bool IsBlocked(IPAddress address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _failures.TryGetValue(ClientAddressKey.Of(address), out var failure) && failure.BlockedUntil > now;
        }
    }

    /// <summary>
    /// A bad key: after <see cref="IngestOptions.FailedAuthAttemptsBeforeBackoff"/> distinct ones, the IP waits
    /// 1 s, 2 s, 4 s, ... up to the cap. The same wrong key again does not count twice: an encoder retrying a
    /// rotated key (OBS reconnects on its own) is a stale setting, not a guess, and must not lock out the
    /// advisor's corrected encoder or other encoders behind the same NAT. Guessing needs distinct keys.
    /// </summary>
    public void RecordAuthFailure(IPAddress address, string? presentedKey = null)
    {
        address = ClientAddressKey.Of(address);
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
            _failures.Remove(ClientAddressKey.Of(address));
        }
    }

    private void Release(PendingLease lease)
    {
        lock (_lock)
        {
            RemoveLocked(lease);
        }
    }

    private void RemoveLocked(PendingLease lease)
    {
        if (lease.Node is not { } node)
        {
            return;
        }

        lease.Node = null;
        var list = node.List!;
        list.Remove(node);
        if (list.Count == 0)
        {
            _pendingPerIp.Remove(lease.Address);
        }

        _pending--;
        IngestMetrics.GatewayPendingConnections.Set(_pending);
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

    /// <summary>Holds one pending slot until the publish is authorized, the connection ends or it is evicted.</summary>
    internal sealed class PendingLease(ConnectionLimiter owner, IPAddress address) : IDisposable
    {
        private readonly CancellationTokenSource _evicted = new();
        private int _released;

        /// <summary>The counted address (IPv6 by /64).</summary>
        public IPAddress Address { get; } = address;

        /// <summary>Fires when a newer connection took this slot; the connection then ends as <c>too_many_connections</c>.</summary>
        public CancellationToken Evicted => _evicted.Token;

        internal long Admitted { get; set; }

        /// <summary>Its place in the address's list while pending (under the limiter's lock).</summary>
        internal LinkedListNode<PendingLease>? Node { get; set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(this);
            }
        }

        internal void Evict()
        {
            try
            {
                _evicted.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Ended meanwhile.
            }
        }
    }
}
