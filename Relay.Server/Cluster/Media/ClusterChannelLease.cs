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
    /// <summary>The shortest wait between two renewal attempts; less time than this left before giving up is given up.</summary>
    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(100);

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
                // Every renewal period while renewals succeed; after a failure (or a slow claim) the next try comes at
                // half the time that is left, so one still gets in before giving up.
                var left = giveUpAfter - time.GetElapsedTime(lastConfirmed);
                if (left <= MinRetry)
                {
                    Lose($"no renewal confirmed for {giveUpAfter.TotalSeconds:0.#} s");
                    return;
                }

                await Task.Delay(left / 2 < interval ? (left / 2 > MinRetry ? left / 2 : MinRetry) : interval, time, _stop.Token).ConfigureAwait(false);
                var sent = time.GetTimestamp();
                // An answer later than the give-up time is no use: the channel must be stopped by then.
                var answerWithin = giveUpAfter - time.GetElapsedTime(lastConfirmed);
                bool renewed;
                try
                {
                    renewed = await _owner.Store.RenewAsync(ChannelId, _owner.Node.Id, _owner.Node.Lease)
                        .WaitAsync(answerWithin < interval ? (answerWithin > MinRetry ? answerWithin : MinRetry) : interval, time, _stop.Token).ConfigureAwait(false);
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
