using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// What the client protocol reports, in the words of <c>lastError</c>. A server's code and description are its own
/// text: they go through <see cref="ServerText"/> (servers sometimes echo the stream path, and may send anything).
/// </summary>
internal static class RtmpPushFailures
{
    public static EgressOutcome Describe(RtmpClientEvent failure, RtmpClientProtocol protocol, string publishName) => failure switch
    {
        RtmpClientEvent.Refused => protocol.RefusedAt switch
        {
            RtmpClientState.Connecting => new EgressOutcome(EgressStage.Publish,
                $"authentication failed: {Code(protocol, publishName) ?? "NetConnection.Connect.Rejected"}{Description(protocol, publishName)}"),
            RtmpClientState.CreatingStream => new EgressOutcome(EgressStage.CreateStream, "createStream was refused"),
            _ => new EgressOutcome(EgressStage.Publish,
                $"authentication failed: {Code(protocol, publishName) ?? "publish refused"}{Description(protocol, publishName)}"),
        },
        RtmpClientEvent.PublishEnded => new EgressOutcome(EgressStage.ClosedByPeer,
            $"server ended the publish: {Code(protocol, publishName) ?? "no code"}{Description(protocol, publishName)}"),
        _ => new EgressOutcome(EgressStage.ClosedByPeer, "server sent invalid RTMP: " + protocol.Error),
    };

    /// <summary>The connection ended before the server answered the step the setup was waiting for.</summary>
    public static EgressOutcome ClosedDuringSetup(RtmpClientState state) => state switch
    {
        RtmpClientState.Idle or RtmpClientState.Connecting => new EgressOutcome(EgressStage.ConnectCommand, "connection closed during connect"),
        RtmpClientState.CreatingStream => new EgressOutcome(EgressStage.CreateStream, "createStream was refused"),
        _ => new EgressOutcome(EgressStage.Publish, "connection closed before the publish was accepted"),
    };

    private static string? Code(RtmpClientProtocol protocol, string publishName) =>
        protocol.StatusCode is null ? null : ServerText.Clean(protocol.StatusCode, publishName, maxLength: 80);

    private static string Description(RtmpClientProtocol protocol, string publishName) =>
        ServerText.Clean(protocol.StatusDescription, publishName) is { Length: > 0 } text ? $" ({text})" : "";
}
