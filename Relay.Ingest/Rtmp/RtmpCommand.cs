using Relay.Ingest.Amf0;

namespace Relay.Ingest.Rtmp;

/// <summary>
/// An AMF0 (or AMF3-wrapped AMF0) command message: name, transaction id, command object and the remaining arguments,
/// e.g. <c>connect(1, {app: "live", ...})</c> or <c>publish(5, null, "streamKey", "live")</c>.
/// </summary>
public sealed record RtmpCommand(string Name, double TransactionId, object? CommandObject, IReadOnlyList<object?> Arguments)
{
    /// <summary>Decodes a command message; returns false (with a reason) for anything that is not a well-formed command.</summary>
    public static bool TryParse(RtmpMessage message, out RtmpCommand? command, out string? error)
    {
        command = null;
        error = null;
        var payload = message.Payload.Span;
        switch (message.Header.TypeId)
        {
            case RtmpMessageType.CommandAmf0:
                break;
            case RtmpMessageType.CommandAmf3 when payload.Length > 0:
                // AMF3 command messages start with a 0 byte and then carry AMF0 (what Flash and some encoders send).
                payload = payload[1..];
                break;
            default:
                error = $"message type {message.Header.TypeId} is not a command";
                return false;
        }

        try
        {
            var reader = new Amf0Reader(payload);
            if (reader.ReadValue() is not string name)
            {
                error = "command name is not a string";
                return false;
            }

            var transactionId = reader.End ? 0 : reader.ReadValue() is double d ? d : 0;
            var commandObject = reader.End ? null : reader.ReadValue();
            var arguments = new List<object?>();
            while (!reader.End && arguments.Count < 16)
            {
                arguments.Add(reader.ReadValue());
            }

            command = new RtmpCommand(name, transactionId, commandObject, arguments);
            return true;
        }
        catch (Amf0FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }
}
