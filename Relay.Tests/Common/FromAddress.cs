using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Relay.Tests.Common;

/// <summary>
/// Clients whose connections come from a chosen loopback address (127.0.0.2, 127.0.0.3, ...: Linux routes all of
/// 127.0.0.0/8 to lo), so one test machine looks like several client addresses to per-IP limits.
/// </summary>
public static class FromAddress
{
    public static SocketsHttpHandler Handler(IPAddress local) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static HttpClient Http(Uri baseAddress, IPAddress local, string? bearer = null)
    {
        var client = new HttpClient(Handler(local)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    /// <summary>A hub connection (every transport allowed, as browsers have) whose negotiate, WebSocket, SSE and polls all come from <paramref name="local"/>.</summary>
    public static HubConnection Hub(Uri hubUrl, IPAddress local, string protocol)
    {
        var builder = new HubConnectionBuilder().WithUrl(hubUrl, HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling, options =>
        {
            options.HttpMessageHandlerFactory = _ => Handler(local);
            options.WebSocketFactory = async (context, ct) =>
            {
                var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(context.Uri, new HttpMessageInvoker(Handler(local)), ct);
                    return socket;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        });
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        else builder.AddJsonProtocol();
        return builder.Build();
    }
}
