namespace Relay.Server.Apis.Views;

/// <summary>The answer to <c>POST /api/v1/channels</c>: the one response that carries both keys whole.</summary>
public sealed record CreatedChannel(string Id, string Title, string StreamKey, string HostKey, string IngestUrl, string WatchUrl, string StudioUrl, string? BackupStreamKey = null);
