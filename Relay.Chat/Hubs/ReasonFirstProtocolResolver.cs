using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Relay.Chat.Hubs;

/// <summary>
/// Wraps every registered protocol, whoever registered it and when (a later AddSignalR() re-adding the plain JSON
/// protocol included), by standing in for SignalR's protocol resolver (whose own class is internal).
/// </summary>
internal sealed class ReasonFirstProtocolResolver : IHubProtocolResolver
{
    private readonly Dictionary<string, IHubProtocol> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ReasonFirstProtocolResolver(IEnumerable<IHubProtocol> protocols)
    {
        // Last registration of a name wins, as in SignalR's own resolver.
        foreach (var protocol in protocols)
            _byName[protocol.Name] = protocol as ReasonFirstHubProtocol ?? new ReasonFirstHubProtocol(protocol);
        AllProtocols = [.. _byName.Values];
    }

    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        _byName.TryGetValue(protocolName, out var protocol)
        && (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? protocol
            : null;
}
