using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Common.Resilience;
using Relay.Ingest.Streams;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Publishing;

/// <summary>
/// The public RTMP (and optional RTMPS) endpoint. Accepts connections, applies the pending-connection limits and
/// hands each one to a <see cref="PublisherConnection"/>. The accept loop logs and restarts on failure.
/// </summary>
public sealed partial class RtmpListener : BackgroundService
{
    // Accept fails on the listener, not on one client (EMFILE under a connection flood): pause 10 ms doubling to 1 s,
    // no jitter (one loop per listener), back to 10 ms after the next accept.
    private static readonly BackoffPolicy AcceptBackoff = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), BackoffJitter.None);

    private readonly IngestOptions _options;
    private readonly LiveChannelRegistry _channels;
    private readonly TimeProvider _time;
    private readonly ILogger<RtmpListener> _logger;
    private readonly ConnectionLimiter _limiter;
    private readonly PublishGate _gate;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private long _nextConnectionId;
    private Socket? _rtmpListener;
    private Socket? _rtmpsListener;
    private X509Certificate2? _certificate;

    public RtmpListener(
        IOptions<IngestOptions> options,
        IPublishAuthorizer authorizer,
        LiveChannelRegistry channels,
        TimeProvider time,
        ILogger<RtmpListener> logger,
        IChannelOwnership? ownership = null)
    {
        _options = options.Value;
        _channels = channels;
        _time = time;
        _logger = logger;
        _limiter = new ConnectionLimiter(_options, time);
        _gate = new PublishGate(authorizer, channels, _limiter, new PublishStartRate(_options.MaxPublishStartsPerChannelPerMinute, time), time, logger, ownership);
    }

    /// <summary>Where the RTMP port is bound (the real port when 0 was configured); null before start.</summary>
    public IPEndPoint? RtmpEndPoint => _rtmpListener?.LocalEndPoint as IPEndPoint;

    /// <summary>Where the RTMPS port is bound; null when RTMPS is not configured.</summary>
    public IPEndPoint? RtmpsEndPoint => _rtmpsListener?.LocalEndPoint as IPEndPoint;

    /// <summary>The publish decision, shared with the SRT listener: one key space, one brute-force count, one start rate.</summary>
    internal PublishGate Gate => _gate;

    /// <summary>The pending-connection pool, shared with the SRT listener (one limit per address across protocols).</summary>
    internal ConnectionLimiter Limiter => _limiter;

    /// <summary>Whether the address is in its brute-force wait (for tests and diagnostics).</summary>
    internal bool IsBlocked(IPAddress address) => _limiter.IsBlocked(address);

    /// <summary>Binds before the host reports started, so a port conflict fails startup with a clear error.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(_options.RtmpBindAddress);
        _rtmpListener = Bind(address, _options.RtmpPort, "RtmpPort");
        if (_options.RtmpsPort is { } rtmpsPort && _options.RtmpsCertificatePath is { } certificatePath)
        {
            _certificate = LoadCertificate(certificatePath, _options.RtmpsCertificatePassword);
            _rtmpsListener = Bind(address, rtmpsPort, "RtmpsPort");
        }

        LogListening(_logger, RtmpEndPoint!, RtmpsEndPoint?.ToString() ?? "off");
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Cancel the accept loops first (they end quietly on the token), then close the sockets.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _rtmpListener?.Dispose();
        _rtmpsListener?.Dispose();
        // Connections observe the stopping token; wait for them so every channel is offline when this returns.
        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        // A channel held on the slate has no connection left to end it; nobody can come back now.
        _channels.EndHeldChannels();
    }

    public override void Dispose()
    {
        _rtmpListener?.Dispose();
        _rtmpsListener?.Dispose();
        _certificate?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task> { AcceptLoopAsync(_rtmpListener!, null, stoppingToken) };
        if (_rtmpsListener is not null)
        {
            loops.Add(AcceptLoopAsync(_rtmpsListener, _certificate, stoppingToken));
        }

        return Task.WhenAll(loops);
    }

    private async Task AcceptLoopAsync(Socket listener, X509Certificate2? certificate, CancellationToken stoppingToken)
    {
        var backoff = new BackoffCounter(AcceptBackoff, _time);
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // E.g. EMFILE under a connection flood: back off a little and keep serving.
                LogAcceptFailed(_logger, ex);
                try
                {
                    await backoff.WaitAsync(backoff.Next(), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            _connections[id] = HandleAsync(id, client, certificate, stoppingToken);
        }
    }

    private async Task HandleAsync(long id, Socket client, X509Certificate2? certificate, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var remote = client.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
            // Never refused here: a full pool evicts an older pending connection instead (see ConnectionLimiter).
            using (var lease = _limiter.Admit(remote.Address))
            {
                var connection = new PublisherConnection(client, remote, certificate, lease, _options, _channels, _limiter, _gate, _time, _logger);
                if (certificate is null)
                {
                    await PublisherThread.RunAsync(() => connection.RunAsync(stoppingToken)).ConfigureAwait(false);
                }
                else
                {
                    // RTMPS: SslStream over the socket engine, on the thread pool.
                    await connection.RunAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            // RunAsync handles its own errors; this is the last line so one connection can never take the gateway down.
            LogConnectionCrashed(_logger, ex);
            client.Dispose();
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    private static Socket Bind(IPAddress address, int port, string key)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(512);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"{IngestOptions.SectionName}:{key}: cannot listen on {address}:{port}: {ex.Message}", ex);
        }
    }

    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        if (path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase))
        {
            var pem = string.IsNullOrEmpty(password)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password);
            // Ephemeral PEM keys are not usable by SslStream on every platform; a PKCS#12 round trip makes them so.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }

    [LoggerMessage(EventId = EventIds.Listening, Level = LogLevel.Information, Message = "RTMP ingest listening on {RtmpEndPoint} (RTMPS: {RtmpsEndPoint})")]
    private static partial void LogListening(ILogger logger, IPEndPoint rtmpEndPoint, string rtmpsEndPoint);

    [LoggerMessage(EventId = EventIds.AcceptFailed, Level = LogLevel.Warning, Message = "Accepting an RTMP connection failed; retrying")]
    private static partial void LogAcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.ConnectionFailed, Level = LogLevel.Error, Message = "RTMP connection handler failed unexpectedly")]
    private static partial void LogConnectionCrashed(ILogger logger, Exception exception);
}
