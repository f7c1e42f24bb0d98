using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat;
using Relay.Chat.Channels;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Common.Hosts;

/// <summary>Builds real SignalR clients for either protocol.</summary>
public static class Hub
{
    public static readonly TheoryData<string> Protocols = ["json", "messagepack"];

    public static HubConnection Build(Uri url, string protocol)
    {
        var builder = new HubConnectionBuilder().WithUrl(url);
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        else builder.AddJsonProtocol();
        return builder.Build();
    }
}
