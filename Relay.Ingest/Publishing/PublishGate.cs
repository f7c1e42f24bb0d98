using System.Net;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Publishing;

/// <summary>
/// The publish decision: empty key, authorizer (failures refuse), brute-force accounting, the per-channel
/// publish-start rate, the channel's ownership (a cluster's lease; always this node's on one process) and the channel
/// claim (one publisher per channel, plus its backup; a publisher of a channel held on the slate joins it).
/// </summary>
internal sealed class PublishGate(IPublishAuthorizer authorizer, LiveChannelRegistry channels, ConnectionLimiter limiter, PublishStartRate publishStarts, TimeProvider time, ILogger logger, IChannelOwnership? ownership = null)
{
    private readonly IChannelOwnership _ownership = ownership ?? new SingleNodeOwnership();

    /// <summary>
    /// Longest publish name accepted, as policy: Relay's stream keys are 35 characters, and 255 bytes leaves room for
    /// any key an authorizer may issue while a longer name is refused as <c>bad_key</c> without asking the authorizer.
    /// (The old 127-byte cap was ffmpeg's <c>char filename[128]</c>, which went with the ffmpeg ingest engine.)
    /// </summary>
    public const int MaxStreamNameBytes = 255;

    /// <summary>connect/createStream/publish are small; anything bigger before publish is junk.</summary>
    public const int MaxPrePublishMessageSize = 64 * 1024;

    /// <summary>Encoders use a handful of chunk streams (OBS: 2-7); the cap bounds per-connection state.</summary>
    public const int MaxPrePublishChunkStreams = 16;

    /// <param name="publishName">The publish name as sent: the stream key, perhaps with a test suffix (<see cref="PublishName"/>).</param>
    /// <returns>The input the publisher feeds; the channel's lease when this publish took the channel (null when it
    /// joined a channel already published here, whose lease its session holds).</returns>
    public async Task<(ChannelInput? Input, IChannelLease? Lease, string? Refusal)> AuthorizeAsync(string app, string publishName, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var (streamKey, testPublish) = PublishName.Parse(publishName);
        // The brute-force wait slows the key check; it never decides it. Refusing at accept (as before) locked out
        // every encoder sharing the guesser's address (SNAT load balancer, RTMPS terminator, venue NAT); answering
        // at once would let the guesser learn each answer by its speed. Held back, then checked: a right key passes.
        var delay = limiter.KeyCheckDelay(remote.Address);
        var blocked = delay > TimeSpan.Zero;
        if (blocked)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }

        if (streamKey.Length == 0)
        {
            limiter.RecordAuthFailure(remote.Address);
            return (null, null, blocked ? PublishRejectReason.RateLimited : PublishRejectReason.MissingKey);
        }

        PublishDecision decision;
        try
        {
            decision = await authorizer.AuthorizeAsync(new PublishRequest(app, streamKey, remote), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PublishingLog.AuthorizerFailed(logger, ex, remote);
            return (null, null, PublishRejectReason.AuthError);
        }

        if (!decision.Accepted)
        {
            if (decision.Reason is PublishRejectReason.BadKey or PublishRejectReason.MissingKey)
            {
                limiter.RecordAuthFailure(remote.Address, streamKey);
                return (null, null, blocked ? PublishRejectReason.RateLimited : decision.Reason);
            }

            return (null, null, decision.Reason);
        }

        var channelId = decision.ChannelId!;
        if (!publishStarts.MayStart(channelId))
        {
            return (null, null, PublishRejectReason.TooManyPublishes);
        }

        if (channels.IsPublished(channelId))
        {
            // Live here already: no need to ask the cluster. A publisher may join it (back from a drop while the slate
            // holds the channel, the backup, a reconnect replacing its own silent connection) when its role is free.
            if (channels.TryJoin(channelId, decision.Input, testPublish) is not { } joined)
            {
                return (null, null, PublishRejectReason.AlreadyLive);
            }

            publishStarts.Started(channelId);
            return (joined, null, null);
        }

        ChannelClaim claim;
        try
        {
            claim = await _ownership.ClaimAsync(channelId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PublishingLog.OwnershipFailed(logger, ex, channelId);
            return (null, null, PublishRejectReason.OwnershipUnavailable);
        }

        if (claim.Lease is not { } lease)
        {
            return (null, null, claim.Refusal ?? PublishRejectReason.AlreadyLive);
        }

        // A mirror of the previous owner's stream (a viewer was watching here) yields to the publisher.
        await channels.StopMirrorAsync(channelId).ConfigureAwait(false);
        var session = channels.TryBeginPublish(channelId, testPublish);
        if (session is null)
        {
            await ReleaseAsync(lease, logger).ConfigureAwait(false);
            return (null, null, PublishRejectReason.AlreadyLive);
        }

        publishStarts.Started(channelId);
        return (LiveChannelRegistry.Attach(session, decision.Input), lease, null);
    }

    /// <summary>
    /// The key check of a protocol that can refuse before it completes its handshake (SRT's listen callback, which
    /// runs on libsrt's thread and must not wait): a refusal that is already certain, or null when the full
    /// <see cref="AuthorizeAsync"/> must decide (a right key, an authorizer that answers later, or an address in its
    /// brute-force wait, whose key check is held back there as over RTMP). Bad keys are counted as in AuthorizeAsync.
    /// </summary>
    public string? PrecheckKey(string app, string publishName, IPEndPoint remote)
    {
        var (streamKey, _) = PublishName.Parse(publishName);
        if (limiter.KeyCheckDelay(remote.Address) > TimeSpan.Zero)
        {
            return null;
        }

        if (streamKey.Length == 0)
        {
            limiter.RecordAuthFailure(remote.Address);
            return PublishRejectReason.MissingKey;
        }

        ValueTask<PublishDecision> pending;
        try
        {
            pending = authorizer.AuthorizeAsync(new PublishRequest(app, streamKey, remote), CancellationToken.None);
        }
        catch (Exception ex)
        {
            PublishingLog.AuthorizerFailed(logger, ex, remote);
            return PublishRejectReason.AuthError;
        }

        if (!pending.IsCompletedSuccessfully)
        {
            // Observed so a later failure is not unobserved; AuthorizeAsync asks again.
            _ = pending.AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            return null;
        }

        var decision = pending.Result;
        if (decision.Accepted)
        {
            return null;
        }

        if (decision.Reason is PublishRejectReason.BadKey or PublishRejectReason.MissingKey)
        {
            limiter.RecordAuthFailure(remote.Address, streamKey);
        }

        return decision.Reason;
    }

    /// <summary>Gives the channel back (the publish ended or never started); a failure is logged, never thrown.</summary>
    public static async Task ReleaseAsync(IChannelLease lease, ILogger logger)
    {
        try
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PublishingLog.OwnershipReleaseFailed(logger, ex, lease.ChannelId);
        }
    }

    /// <summary>A publish name too long to be a key: refused as a bad key (and counted) without asking the authorizer.</summary>
    public bool RefuseOverlongName(string name, IPEndPoint remote)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(name) <= MaxStreamNameBytes)
        {
            return false;
        }

        PublishingLog.ProtocolError(logger, remote, $"publish name longer than {MaxStreamNameBytes} bytes");
        limiter.RecordAuthFailure(remote.Address);
        return true;
    }

    /// <summary>The app of <c>connect</c> without a query string or slashes (<c>live?x=y</c> and <c>/live/</c> are <c>live</c>).</summary>
    public static string? NormalizeApp(string? app)
    {
        if (app is null)
        {
            return null;
        }

        var query = app.IndexOf('?', StringComparison.Ordinal);
        return (query >= 0 ? app[..query] : app).Trim('/');
    }
}
