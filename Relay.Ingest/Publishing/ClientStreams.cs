using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Publishing;

/// <summary>The publisher's byte stream: plain RTMP, or TLS for RTMPS.</summary>
internal static class ClientStreams
{
    /// <summary>The socket as a stream, wrapped in TLS when RTMPS is configured (authenticate it with <see cref="AuthenticateAsync"/>).</summary>
    /// <param name="blocking">Plain RTMP on a publisher thread of its own (<see cref="BlockingSocketStream"/>).</param>
    public static Stream Open(Socket client, X509Certificate2? certificate, bool blocking = false)
    {
        client.NoDelay = true;
        if (certificate is null && blocking)
        {
            return new BlockingSocketStream(client);
        }

        Stream stream = new NetworkStream(client, ownsSocket: true);
        return certificate is null ? stream : new SslStream(stream, leaveInnerStreamOpen: false);
    }

    /// <summary>The TLS handshake of an RTMPS connection (nothing for plain RTMP), bounded by the caller's deadline (the first-byte deadline included).</summary>
    public static async ValueTask AuthenticateAsync(Stream stream, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        if (stream is SslStream tls && certificate is not null)
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads C0+C1; null when the client is not speaking RTMP (wrong version byte, or closed early).
    /// <paramref name="firstByte"/> (the first-byte deadline) is disarmed once the first byte is in; over TLS the
    /// ClientHello was the first byte, so it is disarmed before reading.
    /// </summary>
    public static async Task<byte[]?> ReadC0C1Async(PipeReader reader, CancellationTokenSource firstByte, CancellationToken cancellationToken)
    {
        // Judge the version byte as soon as it arrives: HTTP or TLS on this port is refused at once, not at the deadline.
        var first = await reader.ReadAtLeastAsync(1, cancellationToken).ConfigureAwait(false);
        firstByte.CancelAfter(Timeout.InfiniteTimeSpan);
        if (first.Buffer.IsEmpty || first.Buffer.FirstSpan[0] != RtmpHandshake.Version)
        {
            reader.AdvanceTo(first.Buffer.End);
            return null;
        }

        reader.AdvanceTo(first.Buffer.Start);
        var result = await reader.ReadAtLeastAsync(RtmpHandshake.C0C1Size, cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        if (buffer.Length < 1 || buffer.FirstSpan[0] != RtmpHandshake.Version || buffer.Length < RtmpHandshake.C0C1Size)
        {
            reader.AdvanceTo(buffer.End);
            return null;
        }

        var c0c1 = buffer.Slice(0, RtmpHandshake.C0C1Size).ToArray();
        reader.AdvanceTo(buffer.GetPosition(RtmpHandshake.C0C1Size));
        return c0c1;
    }

    /// <summary>How long a closing connection keeps reading what the client still sends.</summary>
    private static readonly TimeSpan CloseLinger = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Sends FIN, then reads and drops what the client still sends until it closes too (at most
    /// <see cref="CloseLinger"/>). Closing a socket with unread data sends a reset instead, and a reset makes the
    /// client drop replies it has not read yet: an encoder that pipelines createStream and publish after connect
    /// then never sees why it was refused (seen in the refusal tests once the native engine answered fast).
    /// </summary>
    public static async Task CloseGentlyAsync(Socket client)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            client.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(CloseLinger);
            while (await client.ReceiveAsync(buffer, SocketFlags.None, linger.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already closed, reset, or still talking after the linger: close it anyway.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The client went away or spoke junk (e.g. a TLS handshake that failed): ends the connection quietly.</summary>
    public static bool IsConnectionFailure(Exception exception) =>
        exception is IOException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException;
}
