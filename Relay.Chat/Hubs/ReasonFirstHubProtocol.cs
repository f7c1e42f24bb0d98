using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Relay.Chat.Hubs;

/// <summary>
/// SignalR wraps a HubException's message as "An unexpected error occurred invoking 'X' on the server.
/// HubException: {message}" (aspnetcore ErrorMessageHelper). CONTRACT.md promises clients a message that
/// starts with the reason token, so this decorator of the JSON and MessagePack protocols hands the client
/// exactly the HubException's own message. Other errors keep SignalR's text (which hides details).
/// </summary>
internal sealed partial class ReasonFirstHubProtocol(IHubProtocol inner) : IHubProtocol
{
    [GeneratedRegex(@"^An unexpected error occurred invoking '[^']*' on the server\. HubException: (?<message>.*)$", RegexOptions.Singleline)]
    private static partial Regex WrappedHubException();

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Unwrap(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Unwrap(message));

    internal static HubMessage Unwrap(HubMessage message)
    {
        if (message is CompletionMessage { Error: { } error } completion && WrappedHubException().Match(error) is { Success: true } match)
            return CompletionMessage.WithError(completion.InvocationId!, match.Groups["message"].Value);
        return message;
    }
}

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
