using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// The transport of one push attempt, up to where RTMP commands start: TCP connect (to a vetted address when guarded),
/// TLS for rtmps (SNI, the system store plus any extra roots), and the plain RTMP handshake. Failures come back as the
/// stage that failed, never as exceptions for network errors.
/// </summary>
internal static class RtmpPushConnector
{
    public static async Task<(Stream? Stream, Socket? PlainSocket, EgressOutcome? Failure)> OpenAsync(RtmpPushTarget target, RtmpPushSettings settings, CancellationToken setupToken, CancellationToken stopToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (settings.SendBufferSize is { } sendBuffer)
        {
            socket.SendBufferSize = sendBuffer;
        }

        try
        {
            // A guarded destination connects to an address the policy vetted; SNI and tcUrl keep the name.
            await (settings.AddressGuard is { } guard
                ? guard.ConnectAsync(socket, target.Host, target.Port, setupToken)
                : socket.ConnectAsync(target.Host, target.Port, setupToken).AsTask()).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return (null, null, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => new EgressOutcome(EgressStage.Connect, "connection refused"),
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new EgressOutcome(EgressStage.Resolve, $"host not found: {target.Host}"),
                SocketError.TimedOut => new EgressOutcome(EgressStage.Connect, "connection timed out"),
                _ => new EgressOutcome(EgressStage.Connect, "connect failed: " + ex.SocketErrorCode),
            });
        }
        catch (OperationCanceledException) when (!stopToken.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, null, new EgressOutcome(EgressStage.Connect, "connection timed out"));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (target.UseTls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = target.Host, // SNI: the platforms' edges route on it
                    RemoteCertificateValidationCallback = settings.ExtraTrustedRoots is { Count: > 0 } roots ? (_, cert, chain, errors) => Validate(cert, errors, roots) : null,
                }, setupToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                return (null, null, new EgressOutcome(EgressStage.Tls, "TLS handshake failed: " + (ex.InnerException?.Message ?? ex.Message)));
            }

            stream = ssl;
        }

        try
        {
            await HandshakeAsync(stream, setupToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or InvalidDataException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return (null, null, new EgressOutcome(EgressStage.Handshake, "RTMP handshake failed: " + ex.Message));
        }

        if (target.UseTls)
        {
            return (stream, null, null);
        }

        // Media goes out with non-blocking sends from the publisher's thread (RtmpPushSession.TryWrite); the
        // async reads and writes on the stream are unaffected by this flag.
        socket.Blocking = false;
        return (stream, socket, null);
    }

    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false; // a name mismatch or a missing certificate is never excused
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    /// <summary>The plain (non-digest) handshake: every server accepts it for publishing.</summary>
    private static async Task HandshakeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        c0c1[0] = RtmpHandshake.Version;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await stream.WriteAsync(c0c1, cancellationToken).ConfigureAwait(false);
        // S0+S1, then C2, then S2: ffmpeg's listener sends S2 only after it has read C2.
        var s0s1 = new byte[1 + RtmpHandshake.PacketSize];
        await stream.ReadExactlyAsync(s0s1, cancellationToken).ConfigureAwait(false);
        if (s0s1[0] != RtmpHandshake.Version)
        {
            throw new InvalidDataException($"server answered version {s0s1[0]}, not an RTMP server");
        }

        // C2 echoes S1.
        await stream.WriteAsync(s0s1.AsMemory(1), cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(new byte[RtmpHandshake.PacketSize], cancellationToken).ConfigureAwait(false);
    }
}
