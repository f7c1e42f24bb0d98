namespace Relay.Ingest; internal static class AssemblyMarker { }
