using Relay.Ingest.Publishing;
using Relay.Server.Diagnostics;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// One channel held by this node: renewed every <see cref="ClusterChannelOwnership.RenewInterval"/> (each renewal also
/// announces the channel live to the other nodes), lost when no renewal was confirmed for
/// <see cref="ClusterChannelOwnership.GiveUpAfter"/> or the store says another node holds it, released when disposed.
/// </summary>
public sealed class ClusterChannelLease : IChannelLease
{
    private readonly ClusterChannelOwnership _owner;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _renewals = Task.CompletedTask;
    private int _disposed;

    internal ClusterChannelLease(ClusterChannelOwnership owner, string channelId, DateTimeOffset since)
    {
        _owner = owner;
        ChannelId = channelId;
        Since = since;
    }

    public string ChannelId { get; }

    /// <summary>When this node took the channel.</summary>
    public DateTimeOffset Since { get; }

    public CancellationToken Lost => _lost.Token;

    internal bool Started { get; private set; }

    /// <summary>Starts the renewals; <paramref name="confirmedAt"/> is when the acquiring call was sent (a timestamp).</summary>
    internal void Start(long confirmedAt)
    {
        Started = true;
        _ = _owner.AnnounceAsync(new ChannelLiveAnnouncement(ChannelId, _owner.Node.Id, Since, Live: true));
        _renewals = RenewAsync(confirmedAt);
    }

    private async Task RenewAsync(long lastConfirmed)
    {
        var time = _owner.Time;
        var interval = _owner.RenewInterval;
        var giveUpAfter = _owner.GiveUpAfter;
        var failures = 0;
        try
        {
            while (true)
            {
                var left = giveUpAfter - time.GetElapsedTime(lastConfirmed);
                await Task.Delay(left < interval ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : interval, time, _stop.Token).ConfigureAwait(false);
                if (time.GetElapsedTime(lastConfirmed) >= giveUpAfter)
                {
                    Lose($"no renewal confirmed for {giveUpAfter.TotalSeconds:0.#} s");
                    return;
                }

                var sent = time.GetTimestamp();
                bool renewed;
                try
                {
                    renewed = await _owner.Store.RenewAsync(ChannelId, _owner.Node.Id, _owner.Node.Lease).WaitAsync(interval, time, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    if (failures++ == 0)
                    {
                        ClusterMediaLog.RenewFailed(_owner.Logger, ChannelId, ex is TimeoutException ? "no answer" : ex.Message, giveUpAfter - time.GetElapsedTime(lastConfirmed));
                    }

                    continue;
                }

                if (!renewed)
                {
                    Lose("another node holds it, or it expired");
                    return;
                }

                lastConfirmed = sent;
                failures = 0;
                _ = _owner.AnnounceAsync(new ChannelLiveAnnouncement(ChannelId, _owner.Node.Id, Since, Live: true));
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private void Lose(string why)
    {
        ClusterMediaLog.LeaseLost(_owner.Logger, ChannelId, why);
        _owner.Forget(this);
        _lost.Cancel();
    }

    /// <summary>Stops the renewals and deletes the lease if it is still this node's (compare-and-delete).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewals.ConfigureAwait(false);
        _owner.Forget(this);
        if (!Started)
        {
            return;
        }

        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _owner.Store.ReleaseAsync(ChannelId, _owner.Node.Id).WaitAsync(_owner.ClaimTimeout, _owner.Time).ConfigureAwait(false);
                ClusterMediaLog.Released(_owner.Logger, ChannelId);
            }
            catch (Exception ex)
            {
                ClusterMediaLog.ReleaseFailed(_owner.Logger, ChannelId, ex is TimeoutException ? "no answer" : ex.Message);
            }
        }

        await _owner.AnnounceAsync(new ChannelLiveAnnouncement(ChannelId, _owner.Node.Id, Since, Live: false)).ConfigureAwait(false);
    }
}
