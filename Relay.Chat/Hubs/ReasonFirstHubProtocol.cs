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
