using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

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
