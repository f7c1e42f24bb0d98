using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Transcode;
using Relay.Ingest.Ffmpeg;

namespace Relay.Ingest.Egress;

/// <summary>The production <see cref="IEgressPusherFactory"/>.</summary>
public sealed class EgressPusherFactory(
    FfmpegProcessRegistry processes, TimeProvider time, ILoggerFactory loggers, DestinationAddressPolicy? addresses = null) : IEgressPusherFactory
{
    private readonly DestinationAddressPolicy _addresses = addresses ?? new DestinationAddressPolicy(new SystemHostResolver());

    private readonly Lock _rootsLock = new();
    private string? _loadedRootsPath;
    private X509Certificate2Collection? _roots;

    public (IEgressPusher? Pusher, string? Error) Create(EgressDestination destination, EgressOptions options)
    {
        var (pusher, error) = CreateUnguarded(destination, options);
        if (pusher is null || !destination.RequirePublicAddress || options.AllowPrivateDestinations)
        {
            return (pusher, error);
        }

        var forcedFfmpeg = string.Equals(destination.Engine, EgressEngines.Ffmpeg, StringComparison.OrdinalIgnoreCase);
        return (new AddressGuardedPusher(pusher, destination.Url, forcedFfmpeg ? _addresses : null, loggers.CreateLogger<AddressGuardedPusher>()), null);
    }

    private (IEgressPusher? Pusher, string? Error) CreateUnguarded(EgressDestination destination, EgressOptions options)
    {
        if (!RtmpPushTarget.TryParse(destination.Url, destination.StreamKey, out var target, out var error))
        {
            return (null, "invalid url: " + error);
        }

        var settings = new RtmpPushSettings
        {
            SetupTimeout = options.SetupTimeout,
            StallTimeout = options.StallTimeout,
            ChunkSize = options.ChunkSize,
            WindowAcknowledgementSize = options.AckWindowBytes,
            ExtraTrustedRoots = Roots(options.TrustedCaCertificatesPath),
            AddressGuard = destination.RequirePublicAddress && !options.AllowPrivateDestinations ? _addresses : null,
        };
        // engine: ffmpeg goes through ffmpeg too (a remux with -c copy without a profile), but ffmpeg never publishes:
        // its command line would hold the key, and its rtmps client does not verify certificates (M8 of the 2026-12 review).
        var forcedFfmpeg = string.Equals(destination.Engine, EgressEngines.Ffmpeg, StringComparison.OrdinalIgnoreCase);
        if (forcedFfmpeg || destination.Profile is { Transcodes: true })
        {
            return (new TranscodingPusher(target!, destination.Profile, processes, settings, time, loggers.CreateLogger<TranscodingPusher>()), null);
        }

        return (new RtmpPusher(target!, settings, time, loggers.CreateLogger<RtmpPusher>()), null);
    }

    private X509Certificate2Collection? Roots(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        lock (_rootsLock)
        {
            if (_loadedRootsPath != path)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(path);
                (_roots, _loadedRootsPath) = (roots, path);
            }

            return _roots;
        }
    }
}
