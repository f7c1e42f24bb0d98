namespace Relay.Tests.Common.Peers;

/// <summary>
/// nginx with the RTMP module on a free loopback port, optionally with a <c>stream</c> TLS terminator in front of it
/// (self-signed certificate for "localhost" made with openssl at test time) to stand in for an RTMPS platform edge.
/// </summary>
public sealed class NginxPeer : IAsyncDisposable
{
    private const string RtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
    private const string StreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";
    private readonly PeerProcess _process;

    private NginxPeer(PeerProcess process, string directory, int rtmpPort, int? tlsPort, string? certificatePath)
    {
        _process = process;
        Directory = directory;
        RtmpPort = rtmpPort;
        TlsPort = tlsPort;
        CertificatePath = certificatePath;
    }

    public string Directory { get; }

    public int RtmpPort { get; }

    public int? TlsPort { get; }

    /// <summary>PEM of the self-signed certificate the terminator presents (the test trusts it explicitly).</summary>
    public string? CertificatePath { get; }

    public static async Task<NginxPeer> StartAsync(bool withTls = false)
    {
        Tools.RequireOrSkip("nginx");
        if (!File.Exists(RtmpModule) || (withTls && !File.Exists(StreamModule)))
        {
            Assert.Skip("libnginx-mod-rtmp / libnginx-mod-stream are not installed");
        }

        if (withTls) Tools.RequireOrSkip("openssl");
        var directory = System.IO.Directory.CreateTempSubdirectory("relay-nginx-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var rtmpPort = FreePort.Next();
        int? tlsPort = null;
        string? certificate = null;
        var stream = "";
        if (withTls)
        {
            tlsPort = FreePort.Next();
            certificate = Path.Combine(directory, "cert.pem");
            var key = Path.Combine(directory, "key.pem");
            await Tools.RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate);
            stream = $$"""
                stream {
                    # The SNI name each TLS client sent, so tests can check the pusher sends it.
                    log_format sni '$ssl_server_name $ssl_protocol';
                    access_log {{directory}}/logs/stream.log sni;
                    server {
                        listen 127.0.0.1:{{tlsPort}} ssl;
                        ssl_certificate {{certificate}};
                        ssl_certificate_key {{key}};
                        proxy_pass 127.0.0.1:{{rtmpPort}};
                    }
                }
                """;
        }

        var config = $$"""
            {{(withTls ? $"load_module {StreamModule};" : "")}}
            load_module {{RtmpModule}};
            # One process: SIGSTOP then freezes the whole server (the "accepts but stops reading" sink).
            master_process off;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/logs/error.log warn;
            events { worker_connections 256; }
            rtmp {
                server {
                    listen 127.0.0.1:{{rtmpPort}};
                    chunk_size 4096;
                    application live {
                        live on;
                        record off;
                    }
                }
            }
            {{stream}}
            """;
        var configPath = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        var process = PeerProcess.Start("nginx", "nginx", ["-p", directory, "-c", configPath, "-e", Path.Combine(directory, "logs", "error.log")]);
        var peer = new NginxPeer(process, directory, rtmpPort, tlsPort, certificate);
        try
        {
            await FreePort.WaitListeningAsync(rtmpPort, TimeSpan.FromSeconds(10), process);
            if (tlsPort is int p) await FreePort.WaitListeningAsync(p, TimeSpan.FromSeconds(10), process);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }

        return peer;
    }

    public int Pid => _process.Process.Id;

    /// <summary>Freezes nginx: connections stay open, nothing is read or acknowledged any more.</summary>
    public Task FreezeAsync() => Tools.RunAsync("kill", "-STOP", Pid.ToString());

    public Task ThawAsync() => Tools.RunAsync("kill", "-CONT", Pid.ToString());

    /// <summary>One line per finished TLS session: the SNI name and protocol the client used.</summary>
    public string TlsSessionLog => File.Exists(Path.Combine(Directory, "logs", "stream.log")) ? File.ReadAllText(Path.Combine(Directory, "logs", "stream.log")) : "";

    public string ErrorLog => File.Exists(Path.Combine(Directory, "logs", "error.log")) ? File.ReadAllText(Path.Combine(Directory, "logs", "error.log")) : "";

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
