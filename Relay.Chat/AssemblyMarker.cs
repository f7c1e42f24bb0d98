namespace Relay.Chat; internal static class AssemblyMarker { }
