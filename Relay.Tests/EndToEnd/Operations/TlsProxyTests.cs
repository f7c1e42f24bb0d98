using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Operations;

/// <summary>
/// The committed Caddyfile (config/proxy, the TLS front the runbook describes) run for real in front of a Relay that
/// trusts it as its proxy: over HTTPS the API hands out https links with the proxy's host, the hub holds its WebSocket
/// through it, and the access log keeps no access_token.
/// </summary>
public sealed class TlsProxyTests
{
    private const string CaddyPath = "/usr/bin/caddy";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The committed file with its public name, upstream and log path replaced (each required to match, so a drift in
    /// the real file fails here) and global options that keep a test instance to free loopback ports: no admin API,
    /// an internal CA instead of Let's Encrypt, nothing installed into the system trust store.
    /// </summary>
    internal static string DeriveCaddyfile(string committed, int httpsPort, int httpPort, int relayPort, string logPath)
    {
        string Replace(string text, string from, string to)
        {
            Assert.True(text.Contains(from, StringComparison.Ordinal), $"config/proxy/Caddyfile no longer contains '{from}'");
            return text.Replace(from, to, StringComparison.Ordinal);
        }

        var site = Replace(committed, "live.brand.example {", $"https://127.0.0.1:{httpsPort} {{\n\ttls internal");
        site = Replace(site, "reverse_proxy 127.0.0.1:8080", $"reverse_proxy 127.0.0.1:{relayPort}");
        site = Replace(site, "/var/log/caddy/relay-access.log", logPath);
        return $"{{\n\tadmin off\n\thttp_port {httpPort}\n\thttps_port {httpsPort}\n\tskip_install_trust\n\tlocal_certs\n}}\n{site}";
    }

    [Fact]
    public async Task Behind_the_committed_caddy_config_links_are_https_the_hub_works_and_tokens_stay_out_of_the_log()
    {
        if (!File.Exists(CaddyPath))
        {
            Assert.Skip($"{CaddyPath} is missing: install it with  sudo apt-get install -y caddy  (test.sh does this as root)");
        }
        await using var relay = await RelayTestServer.StartAsync("--Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1");
        using var dir = new TempDir("relay-caddy");
        int httpsPort = FreePort.Next(), httpPort = FreePort.Next();
        var logPath = Path.Combine(dir.Path, "access.log");
        var committed = await File.ReadAllTextAsync(PrometheusTools.ConfigPath("proxy", "Caddyfile"), Ct);
        var caddyfile = Path.Combine(dir.Path, "Caddyfile");
        await File.WriteAllTextAsync(caddyfile, DeriveCaddyfile(committed, httpsPort, httpPort, relay.BaseAddress.Port, logPath), Ct);

        var info = new ProcessStartInfo(CaddyPath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "run", "--config", caddyfile, "--adapter", "caddyfile" }) info.ArgumentList.Add(arg);
        // Caddy keeps its internal CA and certificates under XDG_DATA_HOME: the test's own directory.
        info.Environment["XDG_DATA_HOME"] = Path.Combine(dir.Path, "data");
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(dir.Path, "config");
        info.Environment["HOME"] = dir.Path;
        using var caddy = Process.Start(info)!;
        var caddyLog = new List<string>();
        caddy.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (caddyLog) caddyLog.Add(e.Data); };
        caddy.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (caddyLog) caddyLog.Add(e.Data); };
        caddy.BeginErrorReadLine();
        caddy.BeginOutputReadLine();
        try
        {
            var front = new Uri($"https://127.0.0.1:{httpsPort}/");
            // The internal CA is the test's own: the client trusts exactly this one server for this test.
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
            using var http = new HttpClient(handler) { BaseAddress = front, Timeout = TimeSpan.FromSeconds(10) };
            await WaitReadyAsync(http, caddy, caddyLog);

            http.DefaultRequestHeaders.Authorization = new("Bearer", relay.AdminToken);
            using var create = await http.PostAsJsonAsync("/api/v1/channels", new { id = "spring", title = "Spring launch" }, Ct);
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            var created = await create.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal($"https://127.0.0.1:{httpsPort}/watch/spring", created.GetProperty("watchUrl").GetString());
            Assert.Equal($"https://127.0.0.1:{httpsPort}/studio/spring", created.GetProperty("studioUrl").GetString());
            Assert.Equal("max-age=31536000", create.Headers.GetValues("Strict-Transport-Security").Single());

            // The hub over wss:// through the proxy, with the host key as access_token in the query string.
            var hostKey = created.GetProperty("hostKey").GetString()!;
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(front, "/hubs/live"), o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(hostKey);
                    o.HttpMessageHandlerFactory = _ => new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
                    o.WebSocketConfiguration = ws => ws.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                })
                .Build();
            var inbox = new EventInbox<ChatMessageView>(hub, "message");
            await hub.StartAsync(Ct);
            var snapshot = await hub.InvokeAsync<JoinSnapshot>("Join", "spring", new JoinOptions { DisplayName = "Ann" }, Ct);
            Assert.Equal("host", snapshot.You.Role);
            await hub.InvokeAsync("SendMessage", "through caddy", Ct);
            Assert.Equal("Ann", (await inbox.NextMatchingAsync(m => m.Text == "through caddy")).DisplayName);

            // The page through the proxy, and the access log: the hub's URL is there, its token is not.
            using var page = await http.GetAsync("/watch/spring", Ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            await hub.StopAsync(Ct);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!(File.Exists(logPath) && (await File.ReadAllTextAsync(logPath, Ct)).Contains("/hubs/live", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, "Caddy's access log never showed the hub request");
                await Task.Delay(100, Ct);
            }
            var log = await File.ReadAllTextAsync(logPath, Ct);
            Assert.DoesNotContain(hostKey, log, StringComparison.Ordinal);
            Assert.DoesNotContain(relay.AdminToken, log, StringComparison.Ordinal);
        }
        finally
        {
            if (!caddy.HasExited)
            {
                caddy.Kill(entireProcessTree: true);
                await caddy.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static async Task WaitReadyAsync(HttpClient http, Process caddy, List<string> log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.False(caddy.HasExited, $"caddy exited: {string.Join('\n', log.TakeLast(20))}");
            try
            {
                using var response = await http.GetAsync("/healthz", Ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet, or the internal CA still issuing the certificate.
            }
            Assert.True(DateTime.UtcNow < deadline, $"caddy never answered /healthz over https: {string.Join('\n', log.TakeLast(20))}");
            await Task.Delay(200, Ct);
        }
    }
}
