namespace Relay.Ingest.Amf0;

/// <summary>Malformed or over-limit AMF0 data.</summary>
public sealed class Amf0FormatException(string message) : FormatException(message);
